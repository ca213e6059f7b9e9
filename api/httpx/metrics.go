package httpx

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"consult/booking"
)

// Stats is a snapshot of figures read from the database at scrape time:
// counting there keeps them right across restarts and instances.
type Stats struct {
	BookingsCreated   int64
	BookingsCancelled int64
	OutboxPending     int64
	OutboxFailed      int64
	PoolTotal         int32
	PoolIdle          int32
	PoolInUse         int32
	PoolMax           int32
	PoolWaitCount     int64
}

// Metrics holds the service's Prometheus registry. Labels are route
// patterns, methods and statuses only: never paths, which carry secrets.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	// series keeps each label set's counter and histogram (seriesKey →
	// *requestSeries): finding them through the vectors hashed the
	// labels and took a lock on every request, 1% of the server's CPU
	// under make bench's mixed load. Routes, methods and statuses are
	// closed sets, so it stays small.
	series sync.Map
}

// seriesKey is a request's labels.
type seriesKey struct {
	route, method string
	status        int
}

// requestSeries is one label set's metrics.
type requestSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// NewMetrics returns the registry with the request metrics, the Go and
// process collectors and, when stats is not nil, the database figures.
func NewMetrics(stats func(ctx context.Context) (Stats, error)) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "consult_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "consult_http_request_duration_seconds", Help: "HTTP request durations by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "consult_http_requests_in_flight", Help: "HTTP requests being answered now.",
		}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.inFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if stats != nil {
		m.registry.MustRegister(&statsCollector{stats: stats})
	}
	return m
}

// Register adds more collectors to the registry, such as a background
// worker's counters.
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.registry.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// begin counts a request in flight until the returned func is called.
func (m *Metrics) begin() (end func()) {
	if m == nil {
		return func() {}
	}
	m.inFlight.Inc()
	return m.inFlight.Dec
}

// seriesOf returns the metrics of the labels, made on first use.
func (m *Metrics) seriesOf(k seriesKey) *requestSeries {
	if s, ok := m.series.Load(k); ok {
		return s.(*requestSeries)
	}
	s := &requestSeries{
		requests: m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(k.status)),
		duration: m.duration.WithLabelValues(k.route, k.method),
	}
	got, _ := m.series.LoadOrStore(k, s)
	return got.(*requestSeries)
}

// knownMethods are the methods metrics and logs name; any other is
// "other", so that made-up methods cannot add series.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
	http.MethodConnect: true, http.MethodTrace: true,
}

// methodLabel is the request's method from a closed set.
func methodLabel(method string) string {
	if knownMethods[method] {
		return method
	}
	return "other"
}

// routeLabel is the route pattern that answered, from the closed set of
// registered routes, or "unmatched": never a path, which carries secrets
// and would let anyone add series.
func routeLabel(c echo.Context) string {
	if c.Path() == "" {
		return "unmatched"
	}
	return c.Path()
}

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	s := m.seriesOf(seriesKey{route: route, method: method, status: status})
	s.requests.Inc()
	s.duration.Observe(d.Seconds())
}

// statsCollector turns a Stats snapshot into metrics at each scrape.
type statsCollector struct {
	stats func(ctx context.Context) (Stats, error)
}

var (
	descCreated   = prometheus.NewDesc("consult_bookings_created_total", "Bookings ever made.", nil, nil)
	descCancelled = prometheus.NewDesc("consult_bookings_cancelled_total", "Bookings cancelled.", nil, nil)
	descBacklog   = prometheus.NewDesc("consult_outbox_pending", "Emails waiting to be sent.", nil, nil)
	descFailed    = prometheus.NewDesc("consult_outbox_failed", "Emails that failed for good.", nil, nil)
	descPool      = prometheus.NewDesc("consult_db_pool_connections", "Database pool connections by state.", []string{"state"}, nil)
	descPoolWaits = prometheus.NewDesc("consult_db_pool_waits_total", "Times a request waited for a database connection.", nil, nil)
	descScrapeErr = prometheus.NewDesc("consult_stats_up", "1 when the database figures could be read.", nil, nil)
)

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCreated, descCancelled, descBacklog, descFailed, descPool, descPoolWaits, descScrapeErr} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	st, err := c.stats(ctx)
	up := 1.0
	if err != nil {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(descScrapeErr, prometheus.GaugeValue, up)
	ch <- prometheus.MustNewConstMetric(descPool, prometheus.GaugeValue, float64(st.PoolIdle), "idle")
	ch <- prometheus.MustNewConstMetric(descPool, prometheus.GaugeValue, float64(st.PoolInUse), "in_use")
	ch <- prometheus.MustNewConstMetric(descPool, prometheus.GaugeValue, float64(st.PoolTotal), "total")
	ch <- prometheus.MustNewConstMetric(descPool, prometheus.GaugeValue, float64(st.PoolMax), "max")
	ch <- prometheus.MustNewConstMetric(descPoolWaits, prometheus.CounterValue, float64(st.PoolWaitCount))
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(descCreated, prometheus.CounterValue, float64(st.BookingsCreated))
	ch <- prometheus.MustNewConstMetric(descCancelled, prometheus.CounterValue, float64(st.BookingsCancelled))
	ch <- prometheus.MustNewConstMetric(descBacklog, prometheus.GaugeValue, float64(st.OutboxPending))
	ch <- prometheus.MustNewConstMetric(descFailed, prometheus.GaugeValue, float64(st.OutboxFailed))
}

// Handler serves the metrics, behind a bearer token when token is set.
func (m *Metrics) Handler(token string) echo.HandlerFunc {
	serve := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return func(c echo.Context) error {
		if token != "" {
			got := c.Request().Header.Get(echo.HeaderAuthorization)
			if subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+token)) != 1 {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				return &booking.Error{Code: booking.EUNAUTHORIZED, Message: "A valid metrics token is required."}
			}
		}
		serve.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
