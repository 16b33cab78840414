package rest

// eKuiper's kuiper.yaml, complete: eKuiper does not fill in a missing
// section (without store it panics with "unknown database type:"). The
// values are eKuiper's documented defaults except where a conformance run
// needs otherwise: everything listens on loopback, the CLI RPC port is a free
// one (port 0), pprof and prometheus are off (so two engines never collide
// on their ports), loopback sinks are allowed (enablePrivateNet), and the log
// goes to the -log directory only.

// ekuiperEtcDirs are the directories under etc/ that eKuiper reads at start
// (it logs an error or a warning for each one missing); sources/ holds
// websocket.yaml.
var ekuiperEtcDirs = []string{"sinks", "multilingual", "schemas/protobuf", "schemas/custom"}

// ekuiperDataDirs are the directories under data/ that eKuiper reads at start
// and does not make itself.
var ekuiperDataDirs = []string{"schemas/protobuf", "schemas/custom"}

// ekuiperPluginDirs are the directories eKuiper's -plugins directory must
// hold.
var ekuiperPluginDirs = []string{"sources", "sinks", "functions", "portable", "wasm"}

type ekuiperYAML struct {
	Basic         ekuiperBasic    `yaml:"basic"`
	Rule          ekuiperRule     `yaml:"rule"`
	Sink          ekuiperSink     `yaml:"sink"`
	Source        sourceYAML      `yaml:"source"`
	Store         ekuiperStore    `yaml:"store"`
	Portable      ekuiperPortable `yaml:"portable"`
	OpenTelemetry ekuiperTracing  `yaml:"openTelemetry"`
}

type ekuiperBasic struct {
	LogLevel                string         `yaml:"logLevel"`
	Debug                   bool           `yaml:"debug"`
	ConsoleLog              bool           `yaml:"consoleLog"`
	FileLog                 bool           `yaml:"fileLog"`
	LogDisableTimestamp     bool           `yaml:"logDisableTimestamp"`
	Syslog                  ekuiperSyslog  `yaml:"syslog"`
	RotateTime              int            `yaml:"rotateTime"`
	MaxAge                  int            `yaml:"maxAge"`
	RotateSize              int64          `yaml:"rotateSize"`
	RotateCount             int            `yaml:"rotateCount"`
	IP                      string         `yaml:"ip"`
	Port                    int            `yaml:"port"`
	RestIP                  string         `yaml:"restIp"`
	RestPort                int            `yaml:"restPort"`
	Timezone                string         `yaml:"timezone"`
	Authentication          bool           `yaml:"authentication"`
	Prometheus              bool           `yaml:"prometheus"`
	PrometheusPort          int            `yaml:"prometheusPort"`
	Pprof                   bool           `yaml:"pprof"`
	PprofIP                 string         `yaml:"pprofIp"`
	PprofPort               int            `yaml:"pprofPort"`
	IgnoreCase              bool           `yaml:"ignoreCase"`
	SQL                     ekuiperSQL     `yaml:"sql"`
	RulePatrolInterval      string         `yaml:"rulePatrolInterval"`
	EnableOpenZiti          bool           `yaml:"enableOpenZiti"`
	GracefulShutdownTimeout string         `yaml:"gracefulShutdownTimeout"`
	ResourceProfileConfig   ekuiperProfile `yaml:"ResourceProfileConfig"`
	MetricsDumpConfig       ekuiperDump    `yaml:"metricsDumpConfig"`
	EnableRestAuditLog      bool           `yaml:"enableRestAuditLog"`
	EnablePrivateNet        bool           `yaml:"enablePrivateNet"`
	AllowExternalFileAccess bool           `yaml:"allowExternalFileAccess"`
}

type ekuiperSyslog struct {
	Enable bool `yaml:"enable"`
}

type ekuiperSQL struct {
	MaxConnections int `yaml:"maxConnections"`
}

type ekuiperProfile struct {
	Enable   bool   `yaml:"enable"`
	Interval string `yaml:"interval"`
}

type ekuiperDump struct {
	Enable           bool   `yaml:"enable"`
	RetainedDuration string `yaml:"retainedDuration"`
}

type ekuiperRule struct {
	QoS                int    `yaml:"qos"`
	CheckpointInterval string `yaml:"checkpointInterval"`
	SendError          bool   `yaml:"sendError"`
}

type ekuiperSink struct {
	EnableCache          bool   `yaml:"enableCache"`
	MemoryCacheThreshold int    `yaml:"memoryCacheThreshold"`
	MaxDiskCache         int    `yaml:"maxDiskCache"`
	BufferPageSize       int    `yaml:"bufferPageSize"`
	ResendInterval       string `yaml:"resendInterval"`
	CleanCacheAtStop     bool   `yaml:"cleanCacheAtStop"`
}

type ekuiperStore struct {
	Type         string        `yaml:"type"`
	ExtStateType string        `yaml:"extStateType"`
	Sqlite       ekuiperSqlite `yaml:"sqlite"`
}

type ekuiperSqlite struct {
	// Name "" is eKuiper's default database file under -data.
	Name string `yaml:"name"`
}

type ekuiperPortable struct {
	PythonBin   string `yaml:"pythonBin"`
	InitTimeout string `yaml:"initTimeout"`
	SendTimeout string `yaml:"sendTimeout"`
	RecvTimeout string `yaml:"recvTimeout"`
}

type ekuiperTracing struct {
	ServiceName           string `yaml:"serviceName"`
	EnableRemoteCollector bool   `yaml:"enableRemoteCollector"`
	RemoteEndpoint        string `yaml:"remoteEndpoint"`
	LocalTraceCapacity    int    `yaml:"localTraceCapacity"`
	EnableLocalStorage    bool   `yaml:"enableLocalStorage"`
}

// ekuiperConfig is eKuiper's kuiper.yaml with its REST API on
// host:restPort and the data server src.
func ekuiperConfig(host string, restPort int, src sourceYAML) ekuiperYAML {
	return ekuiperYAML{
		Basic: ekuiperBasic{
			LogLevel:                "info",
			FileLog:                 true,
			RotateTime:              24,
			MaxAge:                  72,
			RotateSize:              10 << 20,
			RotateCount:             3,
			IP:                      host,
			Port:                    0, // the CLI RPC server on a free port
			RestIP:                  host,
			RestPort:                restPort,
			Timezone:                "Local",
			PprofIP:                 host,
			RulePatrolInterval:      "10s",
			GracefulShutdownTimeout: "5s",
			ResourceProfileConfig:   ekuiperProfile{Interval: "5s"},
			MetricsDumpConfig:       ekuiperDump{RetainedDuration: "6h"},
			EnablePrivateNet:        true,
			AllowExternalFileAccess: true,
		},
		Rule: ekuiperRule{CheckpointInterval: "300s"},
		Sink: ekuiperSink{
			MemoryCacheThreshold: 1024,
			MaxDiskCache:         1024000,
			BufferPageSize:       256,
			ResendInterval:       "0s",
		},
		Source:   src,
		Store:    ekuiperStore{Type: "sqlite", ExtStateType: "sqlite"},
		Portable: ekuiperPortable{PythonBin: "python3", InitTimeout: "60s", SendTimeout: "5s", RecvTimeout: "5s"},
		OpenTelemetry: ekuiperTracing{
			ServiceName:        "kuiperd-service",
			RemoteEndpoint:     "localhost:4318",
			LocalTraceCapacity: 2048,
		},
	}
}
