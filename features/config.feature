Feature: ConfKeys
  The file etc/sources/websocket.yaml holds confKeys: a `default` key and named
  keys. A stream picks one with CONF_KEY; without it, it uses `default`. A named
  key is laid over `default` property by property. An empty or absent `addr`
  means server mode, `addr: host:port` means client mode.

  @config @must @id:config-no-conf-key-uses-default-server-mode
  Scenario: A stream without CONF_KEY uses the default confKey, which is server mode
    With no `addr` in `default`, a stream without CONF_KEY is served on the data server.

    Given a stream created with:
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"mode": "server"}'
    Then the rule "r1" outputs {"mode": "server"}

  @config @must @id:config-confkey-empty-addr-server-mode
  Scenario: A confKey with an empty addr is server mode
    `addr: ""` on the chosen confKey makes the stream a server-mode endpoint.

    Given the confKey "local" has:
      | addr |  |
    And a stream created with:
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket", CONF_KEY="local")
      """
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"mode": "server"}'
    Then the rule "r1" outputs {"mode": "server"}

  @config @must @id:config-conf-key-selects-named-key
  Scenario: CONF_KEY selects the named confKey
    The stream uses the properties of the confKey its CONF_KEY names.

    Given a remote WebSocket server "chosen"
    And a remote WebSocket server "other"
    And the confKey "chosen" points at the remote server "chosen"
    And the confKey "other" points at the remote server "other"
    And a client-mode stream "demo" reading "/api/data" through the confKey "chosen"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server "chosen" receives a connection for "/api/data"
    And the remote server "other" receives no connection

  @config @must @id:config-named-key-inherits-from-default
  Scenario: A named confKey inherits the properties it does not set from default
    Properties missing from the named key are taken from `default`.

    Given a remote WebSocket server
    And the confKey "default" has:
      | requestHeader | {"X-Team": ["blue"]} |
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"
    And the handshake carries the header "X-Team: blue"

  @config @must @id:config-named-key-overrides-default
  Scenario: A named confKey overrides default property by property
    A property the named key sets wins over the same property of `default`.

    Given a remote WebSocket server
    And the confKey "default" has:
      | requestHeader | {"X-Team": ["blue"]} |
    And the confKey "remote" points at the remote server with:
      | requestHeader | {"X-Team": ["red"]} |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"
    And the handshake carries the header "X-Team: red"
    And the handshake does not carry the header "X-Team: blue"

  @config @extension @id:config-unknown-conf-key-refused
  Scenario: An unknown CONF_KEY is refused with its name
    A stream naming a confKey that does not exist cannot run, and the error names the key (eKuiper silently falls back to default).

    Given a stream created with:
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket", CONF_KEY="nosuchkey")
      """
    Then the rule "r1" running "SELECT * FROM demo" is refused with "nosuchkey"

  @config @extension @id:config-invalid-property-refused
  Scenario Outline: An invalid confKey property is refused with its name
    A confKey property with a wrong value keeps the rule from running, and the error names it.

    Given the confKey "broken" has:
      | addr   | <addr>   |
      | scheme | <scheme> |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "<mentions>"

    Examples:
      | addr            | scheme | mentions |
      | 127.0.0.1:70000 | ws     | 70000    |
      | 127.0.0.1:9     | http   | scheme   |

  @config @should @id:config-default-limit-passes-1mib-server
  Scenario: A 1 MiB message from a client passes without maxMessageBytes
    With no message size limit configured, a text message of 1 MiB sent to a server-mode stream becomes a record.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends a message of 1048576 bytes
    Then the rule "r1" outputs 1 record within 30 seconds
    And the rule "r1" reports no exception

  @config @should @id:config-default-limit-passes-1mib-client
  Scenario: A 1 MiB message from the remote server passes without maxMessageBytes
    With no message size limit configured, a text message of 1 MiB from the remote server becomes a record.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends a message of 1048576 bytes
    Then the rule "r1" outputs 1 record within 30 seconds
    And the rule "r1" reports no exception

  @config @should @id:config-property-names-any-case
  Scenario Outline: confKey property names are read in any case
    A property spelt `<spelling>` is read as `requestHeader`.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | <spelling> | {"X-Team": ["red"]} |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"
    And the handshake carries the header "X-Team: red"

    Examples:
      | spelling      |
      | RequestHeader |
      | REQUESTHEADER |

  @config @extension @id:config-named-key-overrides-default-any-case
  Scenario Outline: A named confKey overrides default whatever the spelling of the property
    The named key's `<spelling>` replaces default's `requestHeader`: property names are compared case-insensitively when the keys are merged (eKuiper keeps default's exact spelling).

    Given a remote WebSocket server
    And the confKey "default" has:
      | requestHeader | {"X-Team": ["blue"]} |
    And the confKey "remote" points at the remote server with:
      | <spelling> | {"X-Team": ["red"]} |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"
    And the handshake carries the header "X-Team: red"
    And the handshake does not carry the header "X-Team: blue"

    Examples:
      | spelling      |
      | RequestHeader |
      | REQUESTHEADER |

  @config @should @id:config-conf-key-name-any-case
  Scenario: CONF_KEY finds its confKey whatever the case
    A stream with CONF_KEY="Remote" uses the confKey "remote": confKey names are compared lower-cased.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "Remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"

  @config @extension @id:config-conf-key-put-name-any-case
  Scenario: A confKey put with capitals is found by its lower-case name
    A confKey put as "Remote" serves a stream with CONF_KEY="remote": confKey names are compared case-insensitively however they were made (eKuiper keeps the spelling of a confKey put over REST and falls back to default).

    Given a remote WebSocket server
    And the confKey "Remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"

  @config @should @id:config-insecure-skip-verify-not-boolean-refused
  Scenario: insecureSkipVerify must be true or false
    A confKey with `insecureSkipVerify: maybe` keeps the rule from running, and the error names the property.

    Given the confKey "broken" points at an address where nothing listens
    And the confKey "broken" has:
      | insecureSkipVerify | maybe |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "insecureSkipVerify"

  @config @extension @id:config-max-message-bytes-refused
  Scenario Outline: maxMessageBytes must be a positive whole number of bytes
    `maxMessageBytes: <value>` keeps the rule from running, and the error names the property (eKuiper has no message size property).

    Given the confKey "broken" points at an address where nothing listens
    And the confKey "broken" has:
      | maxMessageBytes | <value> |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "maxMessageBytes"

    Examples:
      | value |
      | 1.5   |
      | 0     |
      | many  |

  @config @extension @id:config-request-header-wrong-kind-refused
  Scenario Outline: requestHeader must map header names to values
    A confKey with `requestHeader: <value>` keeps the rule from running, and the error names the property (eKuiper stops the rule with an empty message).

    Given the confKey "broken" points at an address where nothing listens
    And the confKey "broken" has:
      | requestHeader | <value> |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "requestHeader"

    Examples:
      | value      |
      | blue       |
      | ["blue"]   |
      | {"X Team": ["blue"]} |

  @config @extension @id:config-string-property-of-wrong-kind-refused
  Scenario Outline: A property that takes text refuses a list or a map
    A confKey with `<property>: <value>` keeps the rule from running, and the error names the property (eKuiper names rootCaPath, but stops the rule for a list in scheme with an empty message).

    Given the confKey "broken" points at an address where nothing listens
    And the confKey "broken" has:
      | <property> | <value> |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "<property>"

    Examples:
      | property | value        |
      | scheme   | ["ws"]       |
      | rootCaPath | {"p": "/x"} |

  @config @should @id:config-null-property-is-absent
  Scenario Outline: A confKey property set to null is read as absent
    `<property>: null` keeps the property's default: the rule dials the remote server and its messages become records.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | <property> | null |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"defaulted": true}'
    Then the rule "r1" outputs {"defaulted": true}

    Examples:
      | property           |
      | scheme             |
      | insecureSkipVerify |
      | requestHeader      |
      | maxMessageBytes    |
      | messageTimeout     |
      | reconnectInterval  |

  @config @should @id:config-scheme-ws-any-case
  Scenario Outline: scheme ws is read in any case
    `scheme: <scheme>` dials the remote server over plain ws.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | scheme | <scheme> |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"scheme": "<scheme>"}'
    Then the rule "r1" outputs {"scheme": "<scheme>"}

    Examples:
      | scheme |
      | ws     |
      | WS     |

  @config @extension @id:config-addr-not-host-port-refused
  Scenario Outline: addr must be a host and a port
    `addr: <addr>` keeps the rule from running, and the error names the property (eKuiper dials it and reports what the dial says).

    Given the confKey "broken" has:
      | addr | <addr> |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "addr"

    Examples:
      | addr          |
      | :18099        |
      | 127.0.0.1     |
      | 127.0.0.1:web |
      | 127.0.0.1:0   |

  @config @should @id:config-addr-port-range-ends-dialed
  Scenario Outline: addr ports 1 and 65535 are dialed
    `addr: 127.0.0.1:<port>` is a valid address: the rule dials it, and with nothing listening there it is stopped by error with the refused connection.

    Given no server listens on 127.0.0.1 port <port>
    And the confKey "remote" has:
      | addr | 127.0.0.1:<port> |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the rule "r1" status becomes "stopped by error"
    And the rule "r1" status mentions "connection refused"

    Examples:
      | port  |
      | 1     |
      | 65535 |

  @config @extension @id:config-request-header-bad-value-refused
  Scenario Outline: requestHeader values must be text that a handshake can carry
    A confKey with `requestHeader: <value>` keeps the rule from running, and the error names the property.

    Given the confKey "broken" points at an address where nothing listens
    And the confKey "broken" has:
      | requestHeader | <value> |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "requestHeader"

    Examples:
      | value                     |
      | {"X-Team": ["blue\nred"]} |
      | {"X-Team": [["blue"]]}    |
      | {"X-Team": {"a": "b"}}    |

  @config @extension @id:config-request-header-single-value
  Scenario: A requestHeader value may be one text instead of a list
    `requestHeader: {"X-Team": "blue"}` sends the header with that one value (eKuiper wants a list of values).

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | requestHeader | {"X-Team": "blue"} |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"
    And the handshake carries the header "X-Team: blue"

  @config @extension @id:config-duration-property-refused
  Scenario Outline: Duration properties must be positive durations
    `<property>: <value>` keeps the rule from running, and the error names the property (eKuiper reads none of them).

    Given the confKey "broken" points at an address where nothing listens
    And the confKey "broken" has:
      | <property> | <value> |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "<property>"

    Examples:
      | property             | value |
      | messageTimeout       | 0     |
      | messageTimeout       | -1s   |
      | messageTimeout       | soon  |
      | reconnectInterval    | -50   |
      | maxReconnectInterval | 0     |
      | maxReconnectInterval | [1]   |
      | reconnectInterval    | 9223372036855 |

  @config @extension @id:config-max-reconnect-below-first-refused
  Scenario: maxReconnectInterval may not be below reconnectInterval
    `reconnectInterval: 1s` with `maxReconnectInterval: 500ms` keeps the rule from running, and the error names both properties.

    Given the confKey "broken" points at an address where nothing listens
    And the confKey "broken" has:
      | reconnectInterval    | 1s    |
      | maxReconnectInterval | 500ms |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "maxReconnectInterval 500ms is below reconnectInterval 1s"

  @config @extension @id:config-max-message-bytes-forms
  Scenario Outline: maxMessageBytes is read from a number or from text
    `maxMessageBytes: <value>` limits messages to that many bytes: a longer one closes its connection with 1009.

    Given the confKey "small" has:
      | maxMessageBytes | <value> |
    And a server-mode stream "demo" on "/api/data" through the confKey "small"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends a message of 4096 bytes
    Then client "c1" is closed with code 1009
    And the rule "r1" keeps running

    Examples:
      | value  |
      | 1024   |
      | "1024" |
      | 1      |

  @config @extension @id:config-message-timeout-in-milliseconds
  Scenario Outline: messageTimeout may be a number of milliseconds
    `messageTimeout: <value>` is read as milliseconds: a message still open 1 s after its first frame closes its connection with 1008.

    Given the confKey "slow" has:
      | messageTimeout | <value> |
    And a server-mode stream "demo" on "/api/data" through the confKey "slow"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "endless" connected to "/api/data"
    When client "endless" sends a text frame and then empty continuation frames without end
    Then client "endless" is closed with code 1008
    And the rule "r1" status mentions "not complete within"

    Examples:
      | value  |
      | 1000   |
      | "1000" |

  @config @extension @needs-engine-files @id:config-kuiper-yaml-wrong-value-refused
  Scenario Outline: A kuiper.yaml value the engine cannot read is refused, naming the file and the key
    `<section>.<key>: <value>` in etc/kuiper.yaml keeps the engine from starting, and the error names the file and the key.

    Given the engine's etc/kuiper.yaml is:
      """
      <section>:
        <key>: <value>
      """
    Then the engine refuses its configuration, naming "kuiper.yaml" and "<section>.<key>"

    Examples:
      | section | key                      | value      |
      | basic   | restIp                   | [a, b]     |
      | basic   | restPort                 | web        |
      | basic   | restPort                 | -1         |
      | basic   | restPort                 | 65536      |
      | basic   | enablePrivateNet         | maybe      |
      | basic   | restAllowedHosts         | [[a]]      |
      | basic   | restAllowedOrigins       | [{a: b}]   |
      | source  | httpServerIp             | {a: b}     |
      | source  | httpServerPort           | 70000      |
      | source  | httpServerMaxConnections | many       |
      | source  | httpServerMaxConnections | -2         |
      | source  | httpServerMaxConnections | 1073741825 |
      | source  | httpServerIdleTimeout    | soon       |
      | source  | httpServerIdleTimeout    | -1s        |

  @config @extension @needs-engine-files @id:config-kuiper-yaml-origin-refused
  Scenario Outline: basic.restAllowedOrigins takes web origins only
    The origin `<origin>` in basic.restAllowedOrigins keeps the engine from starting, and the error names the file, the key and the origin.

    Given the engine's etc/kuiper.yaml is:
      """
      basic:
        restAllowedOrigins: ["http://console.example", "<origin>"]
      """
    Then the engine refuses its configuration, naming "kuiper.yaml", "basic.restAllowedOrigins" and "<origin>"

    Examples:
      | origin                       |
      | ftp://console.example        |
      | console.example              |
      | https://                     |
      | https://console.example/app  |
      | https://console.example?x=1  |
      | https://console.example#top  |
      | https://user@console.example |
      | http://%zz                   |

  @config @extension @needs-engine-files @id:config-kuiper-yaml-shape-refused
  Scenario Outline: A kuiper.yaml of the wrong shape is refused, naming the file
    A kuiper.yaml that is <what> keeps the engine from starting, and the error names the file and says what is wrong.

    Given the engine's etc/kuiper.yaml is:
      """
      <text>
      """
    Then the engine refuses its configuration, naming "kuiper.yaml" and "<named>"

    Examples:
      | what                             | text                          | named                      |
      | not YAML                         | source: [unclosed             | malformed YAML             |
      | a list                           | [basic, source]               | top level must be a mapping |
      | a section that is no mapping     | source: 10081                 | source must be a mapping   |
      | a basic section that is a list   | basic: [restIp]               | basic must be a mapping    |
      | a TLS section that is no mapping | source: {httpServerTls: 5}    | httpServerTls must be a mapping |
      | a TLS certfile that is a list    | source: {httpServerTls: {certfile: [a], keyfile: b}} | source.httpServerTls.certfile |
      | a TLS keyfile that is a mapping  | source: {httpServerTls: {certfile: a, keyfile: {b: c}}} | source.httpServerTls.keyfile |
      | a TLS client CA that is a list   | source: {httpServerTls: {certfile: a, keyfile: b, clientcafile: [c]}} | source.httpServerTls.clientcafile |
      | a TLS section without keyfile    | source: {httpServerTls: {certfile: a}} | needs both certfile and keyfile |
      | a TLS section without certfile   | source: {httpServerTls: {keyfile: b}}  | needs both certfile and keyfile |

  @config @extension @needs-engine-files @id:config-kuiper-yaml-accepted
  Scenario Outline: The engine starts from a kuiper.yaml with <what>
    An etc/kuiper.yaml with <what> is accepted, and server-mode streams work.

    Given the engine's etc/kuiper.yaml is:
      """
      <text>
      """
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"started": true}'
    Then the rule "r1" outputs {"started": true}

    Examples:
      | what                                | text                                        |
      | nothing in it                       | # all defaults                              |
      | empty sections                      | {basic: ~, source: ~}                       |
      | keys set to null                    | {basic: {restIp: ~, restPort: ~, enablePrivateNet: ~, restAllowedHosts: ~, restAllowedOrigins: ~}, source: {httpServerIp: ~, httpServerPort: ~, httpServerMaxConnections: ~, httpServerIdleTimeout: ~, httpServerTls: ~}} |
      | every port and flag at a bound      | {basic: {restPort: 65535, enablePrivateNet: "true"}, source: {httpServerPort: 0}} |
      | no cap on connections               | {source: {httpServerMaxConnections: -1}}    |
      | the largest connection cap          | {source: {httpServerMaxConnections: 1073741824}} |
      | no idle timeout                     | {source: {httpServerIdleTimeout: 0}}        |
      | an idle timeout in milliseconds     | {source: {httpServerIdleTimeout: 300000}}   |
      | web origins and host names          | {basic: {restAllowedOrigins: ["http://console.example", "https://console.example:8443"], restAllowedHosts: kuiper.local}} |

  @config @extension @needs-engine-files @id:config-kuiper-yaml-max-connections-read
  Scenario: httpServerMaxConnections in kuiper.yaml caps the data server's connections
    With `source.httpServerMaxConnections: 1`, a second client gets HTTP 503 while the first is connected.

    Given the engine's etc/kuiper.yaml is:
      """
      source:
        httpServerMaxConnections: 1
      """
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    Then connecting to "/api/data" is refused with HTTP 503

  @config @should @needs-engine-files @id:config-websocket-yaml-names-lower-cased
  Scenario: confKey names in etc/sources/websocket.yaml are lower-cased
    A confKey written `Remote` in the file serves a stream with CONF_KEY="remote"; confKeys left empty beside it are read as confKeys with no properties.

    Given a remote WebSocket server
    And the engine's etc/sources/websocket.yaml is:
      """
      default:
        addr: ""
      Idle:
      Spare:
      Unused:
      Reserved:
      Remote:
        addr: ${remote-addr}
      """
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"

  @config @extension @needs-engine-files @id:config-websocket-yaml-refused
  Scenario Outline: A websocket.yaml the engine cannot read is refused, naming the file
    An etc/sources/websocket.yaml with <what> keeps the engine from starting, and the error names the file and what is wrong.

    Given the engine's etc/sources/websocket.yaml is:
      """
      <text>
      """
    Then the engine refuses its configuration, naming "websocket.yaml" and "<named>"

    Examples:
      | what                                   | text                                    | named                           |
      | YAML that does not parse               | default: [unclosed                      | malformed YAML                  |
      | a list at the top                      | [default]                               | top level must be a mapping     |
      | a confKey that is no mapping           | remote: 5                               | confKey "remote" must be a mapping |
      | two confKeys that differ only in case  | {Remote: {addr: ""}, remote: {addr: ""}} | same name once lower-cased      |
      | an invalid property                    | remote: {addr: "127.0.0.1:70000"}       | confKey "remote": property addr |

  @config @extension @id:config-refusal-names-key-property-value
  Scenario: A refused confKey is named with its property and value
    The error of a rule whose confKey has a wrong value names the confKey, the property and the value, once each (eKuiper names the property only).

    Given the confKey "broken" points at an address where nothing listens
    And the confKey "broken" has:
      | insecureSkipVerify | maybe |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with the message:
      """
      confKey "broken": property insecureSkipVerify: want true or false, found string "maybe"
      """

  @config @should @id:config-reconnect-intervals-equal-accepted
  Scenario: reconnectInterval and maxReconnectInterval may be equal
    `reconnectInterval: 200ms` with `maxReconnectInterval: 200ms` is a valid confKey: the rule dials the remote server and its messages become records (eKuiper reads neither property).

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | reconnectInterval    | 200ms |
      | maxReconnectInterval | 200ms |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"intervals": "equal"}'
    Then the rule "r1" outputs {"intervals": "equal"}

  @config @extension @id:config-default-limit-16mib
  Scenario: Without maxMessageBytes a message over 16 MiB closes its connection with 1009
    The default message size limit is 16 MiB: a text message one byte longer closes its connection with 1009, and the rule keeps running (eKuiper has no limit).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends a message of 16777217 bytes
    Then client "c1" is closed with code 1009
    And the rule "r1" keeps running
