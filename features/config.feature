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
