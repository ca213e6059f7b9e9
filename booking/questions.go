package booking

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// QuestionKind is how an extra question is answered.
type QuestionKind string

// The kinds of extra questions.
const (
	QuestionText   QuestionKind = "text"
	QuestionChoice QuestionKind = "choice"
	QuestionYesNo  QuestionKind = "yes_no"
)

// Question is an extra question the practitioner asks on the booking
// form. Answering is optional. It must not ask for health details.
type Question struct {
	Kind    QuestionKind `json:"kind"`
	Label   string       `json:"label"`
	Choices []string     `json:"choices,omitempty"` // for QuestionChoice
}

// Answer is a client's answer, kept with the question as it was asked.
type Answer struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// Limits on extra questions and their answers.
const (
	MaxQuestions      = 5
	MaxQuestionLen    = 200
	MaxChoices        = 10
	MaxChoiceLen      = 100
	MaxTextAnswerLen  = 300
	maxAnswerStoreLen = 4000
)

// normalizeQuestions trims the questions, dropping those without a label.
func normalizeQuestions(qs []Question) []Question {
	out := make([]Question, 0, len(qs))
	for _, q := range qs {
		q.Label = strings.TrimSpace(q.Label)
		if q.Label == "" {
			continue
		}
		var choices []string
		for _, c := range q.Choices {
			if c = strings.TrimSpace(c); c != "" && !slices.Contains(choices, c) {
				choices = append(choices, c)
			}
		}
		q.Choices = choices
		if q.Kind != QuestionChoice {
			q.Choices = nil
		}
		out = append(out, q)
	}
	return out
}

// validateQuestions adds to f what is wrong with the questions
// (questions).
func validateQuestions(qs []Question, f FieldErrors) {
	if len(qs) > MaxQuestions {
		f.Add("questions", "Ask at most five extra questions.")
		return
	}
	for i, q := range qs {
		n := i + 1
		switch {
		case q.Kind != QuestionText && q.Kind != QuestionChoice && q.Kind != QuestionYesNo:
			f.Add("questions", fmt.Sprintf("Question %d: choose short text, a choice or yes/no.", n))
		case utf8.RuneCountInString(q.Label) > MaxQuestionLen || !PlainText(q.Label, false):
			f.Add("questions", fmt.Sprintf("Question %d: use at most 200 characters on one line.", n))
		case q.Kind == QuestionChoice && (len(q.Choices) < 2 || len(q.Choices) > MaxChoices):
			f.Add("questions", fmt.Sprintf("Question %d: give from 2 to 10 choices, one a line.", n))
		}
		for _, c := range q.Choices {
			if utf8.RuneCountInString(c) > MaxChoiceLen || !PlainText(c, false) {
				f.Add("questions", fmt.Sprintf("Question %d: keep each choice to one line of at most 100 characters.", n))
				break
			}
		}
	}
}

// AnswerField is the form and API field of the answer to question i
// (0-based): "answer_1" to "answer_5".
func AnswerField(i int) string { return fmt.Sprintf("answer_%d", i+1) }

// CheckAnswers returns the answers to keep for qs from raw (raw[i]
// answers qs[i]; missing or empty ones are left out), or an EINVALID
// error naming each bad answer's AnswerField.
func CheckAnswers(qs []Question, raw []string) ([]Answer, error) {
	f := FieldErrors{}
	if len(raw) > len(qs) {
		f.Add("answers", "There are fewer questions than answers.")
	}
	var out []Answer
	for i, q := range qs {
		if i >= len(raw) {
			break
		}
		a := strings.TrimSpace(raw[i])
		if a == "" {
			continue
		}
		field := AnswerField(i)
		switch q.Kind {
		case QuestionText:
			if utf8.RuneCountInString(a) > MaxTextAnswerLen || !PlainText(a, false) {
				f.Add(field, "Answer in at most 300 characters on one line.")
				continue
			}
		case QuestionChoice:
			if !slices.Contains(q.Choices, a) {
				f.Add(field, "Choose one of the answers offered.")
				continue
			}
		case QuestionYesNo:
			if a != "yes" && a != "no" {
				f.Add(field, "Answer yes or no.")
				continue
			}
		}
		out = append(out, Answer{Question: q.Label, Answer: a})
	}
	return out, f.Err()
}
