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
    Then the rule "r1" outputs 1 record
    And the rule "r1" reports no exception

  @config @should @id:config-default-limit-passes-1mib-client
  Scenario: A 1 MiB message from the remote server passes without maxMessageBytes
    With no message size limit configured, a text message of 1 MiB from the remote server becomes a record.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends a message of 1048576 bytes
    Then the rule "r1" outputs 1 record
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
