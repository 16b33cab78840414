Feature: Client mode
  When a stream's confKey sets `addr` to host:port, the engine is the WebSocket
  client: it dials `scheme://addr + DATASOURCE` (scheme `ws` unless the confKey
  says `wss`), sends the confKey's `requestHeader` on the handshake, and turns
  every text message the remote server sends into records. The suite plays the
  remote server. Stream names, rule ids, confKey names and paths below are
  examples: the suite gives each scenario its own copies.

  @client-mode @must @id:client-messages-become-records
  Scenario: Messages from the remote server become records
    A client-mode stream turns each text message from the remote server into records.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a stream created with:
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket", CONF_KEY="remote")
      """
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"temperature": 21.5, "room": "kitchen"}'
    And the remote server sends '{"temperature": 19, "room": "hall"}'
    Then the rule "r1" outputs:
      """
      [{"temperature": 21.5, "room": "kitchen"}, {"temperature": 19, "room": "hall"}]
      """

  @client-mode @must @id:client-dialed-url-addr-datasource-query
  Scenario Outline: The dialed URL is addr followed by the DATASOURCE, query included
    The engine requests the DATASOURCE path on the remote server and keeps its query string.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "<datasource>" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "<datasource>"

    Examples:
      | datasource               |
      | /api/data                |
      | /feed?x=1                |
      | /a/b/c?room=hall&limit=5 |

  @client-mode @must @id:client-request-headers-sent
  Scenario: The confKey's request headers are sent on the handshake
    Every header listed under `requestHeader` is sent with all its values on the opening handshake.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | requestHeader | {"Authorization": ["Bearer t0k3n"], "X-Site": ["north"]} |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"
    And the handshake carries the header "Authorization: Bearer t0k3n"
    And the handshake carries the header "X-Site: north"

  @client-mode @should @id:client-remote-close-rule-keeps-running
  Scenario: A remote close is recorded and the rule keeps running
    A close by the remote server is recorded as an exception, and the rule stays running.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    And the remote server sends '{"n": 1}'
    And the rule "r1" outputs {"n": 1}
    When the remote server closes the connection with code 1000
    Then the rule "r1" reports an exception
    And the rule "r1" keeps running

  @client-mode @extension @id:client-status-connection-down-after-remote-leaves
  Scenario Outline: The status shows the connection down after the remote goes away
    After the remote server closes or drops the connection, the rule's connection status reads down (eKuiper keeps reporting it up).

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    And the remote server receives a connection for "/api/data"
    And the rule "r1" shows the connection up
    When the remote server <goes away>
    Then the rule "r1" shows the connection down

    Examples:
      | goes away                             |
      | closes the connection with code 1000  |
      | drops the connection                  |

  @client-mode @should @id:client-unreachable-remote-stops-rule
  Scenario: An unreachable remote stops the rule with the dial error
    If nothing listens at `addr`, the rule is "stopped by error" and its status carries the dial error.

    Given the confKey "remote" points at an address where nothing listens
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the rule "r1" status becomes "stopped by error"
    And the rule "r1" status mentions "connection refused"
    And the rule "r1" reports an exception mentioning "connection refused"

  @client-mode @must @id:client-handshake-timeout-stops-rule
  Scenario: A remote that never answers the handshake stops the rule after the timeout
    The opening handshake is bounded (3 seconds): a server that accepts TCP but never answers stops the rule by error.

    Given a remote WebSocket server that never answers the handshake
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the rule "r1" status becomes "stopped by error"
    And the rule "r1" status mentions "timeout"

  @client-mode @extension @id:client-same-path-two-servers-kept-apart
  Scenario: Two streams with the same path on two servers are kept apart
    Each client-mode stream has its own connection to its own server, even when the paths are equal (eKuiper shares them by path).

    Given a remote WebSocket server "east"
    And a remote WebSocket server "west"
    And the confKey "east" points at the remote server "east"
    And the confKey "west" points at the remote server "west"
    And a client-mode stream "from_east" reading "/feed" through the confKey "east"
    And a client-mode stream "from_west" reading "/feed" through the confKey "west"
    And the rule "r_east" runs "SELECT * FROM from_east"
    And the rule "r_west" runs "SELECT * FROM from_west"
    When the remote server "east" sends '{"site": "east"}'
    And the remote server "west" sends '{"site": "west"}'
    Then the rule "r_east" outputs {"site": "east"}
    And the rule "r_west" outputs {"site": "west"}
    And the rule "r_east" outputs nothing more
    And the rule "r_west" outputs nothing more

  @client-mode @should @id:client-confkey-path-wins-over-datasource
  Scenario: The confKey's path wins over the stream's DATASOURCE
    A confKey property `path` replaces the DATASOURCE in the dialed URL.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | path | /fromkey |
    And a client-mode stream "demo" reading "/fromds" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/fromkey"

  @client-mode @must @id:client-binary-messages-ignored
  Scenario: Binary messages from the remote server are ignored
    Only text messages carry data; a binary message yields no record and no error.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends the binary message '{"binary": true}'
    And the remote server sends '{"text": true}'
    Then the rule "r1" outputs {"text": true}
    And the rule "r1" reports no exception

  @client-mode @should @id:client-two-rules-share-one-connection
  Scenario: Two rules on one client-mode stream share one connection
    Every rule reading the stream gets every record, and the engine dials the remote server once.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    And the rule "r2" runs "SELECT * FROM demo"
    When the remote server sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
    And the rule "r2" outputs {"n": 1}
    And the remote server receives no further connection

  @client-mode @should @id:client-stop-closes-start-dials-again
  Scenario: Stopping the rule closes its connection, starting it dials again
    A stopped client-mode rule hangs up; started again, it opens a new connection and reads again.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    And the remote server receives a connection for "/api/data"
    When I stop the rule "r1"
    Then the remote server sees the connection closed
    When I start the rule "r1"
    Then the remote server receives a connection for "/api/data"
    When the remote server sends '{"again": true}'
    Then the rule "r1" outputs {"again": true}

  @client-mode @should @id:client-messages-arrive-in-order
  Scenario: Many messages from the remote server arrive in order
    Records from one connection keep the order of the messages.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends 1000 numbered messages
    Then the rule "r1" outputs 1000 numbered records in order

  @client-mode @must @id:client-request-header-several-values
  Scenario: A request header with several values sends every value
    A header listed under `requestHeader` with a list of values is sent with each of them.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | requestHeader | {"X-Site": ["north", "south"], "X-Team": ["blue"]} |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"
    And the handshake carries the header "X-Site: north"
    And the handshake carries the header "X-Site: south"
    And the handshake carries the header "X-Team: blue"

  @client-mode @should @id:client-scheme-ws-any-case
  Scenario Outline: The scheme ws is read in any case
    `scheme` is not case-sensitive: `<scheme>` dials plain ws.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | scheme | <scheme> |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"scheme": "<scheme>"}'
    Then the rule "r1" outputs {"scheme": "<scheme>"}

    Examples:
      | scheme |
      | WS     |
      | Ws     |

  @client-mode @should @id:client-scheme-wss-any-case
  Scenario Outline: The scheme wss is read in any case
    `scheme` is not case-sensitive: `<scheme>` dials over TLS.

    Given a remote wss server with a certificate from the suite's CA
    And the confKey "remote" points at the remote server with:
      | scheme     | <scheme>   |
      | rootCaPath | ${ca-file} |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"scheme": "<scheme>"}'
    Then the rule "r1" outputs {"scheme": "<scheme>"}

    Examples:
      | scheme |
      | WSS    |
      | Wss    |

  @client-mode @should @id:client-confkey-path-wins-over-confkey-datasource
  Scenario: The confKey's path wins over the confKey's datasource
    A confKey that sets both `path` and `datasource` makes the engine dial `path`.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | datasource | /fromkeyds |
      | path       | /fromkey   |
    And a client-mode stream "demo" reading "/fromds" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/fromkey"

  @client-mode @should @id:client-datasource-wins-over-confkey-datasource
  Scenario: The stream's DATASOURCE wins over a confKey's datasource
    A confKey property `datasource` (without `path`) does not change the dialed URL: the stream's DATASOURCE does.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | datasource | /fromkey |
    And a client-mode stream "demo" reading "/fromds" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/fromds"

  @client-mode @extension @id:client-reconnects-after-remote-restart
  Scenario: The engine reconnects after the remote server restarts, and records resume
    After the remote server goes away the rule keeps running with its connection shown down and dials again with backoff (confKey `reconnectInterval`, default 100 ms, doubling up to `maxReconnectInterval`, default 10 s); once the server is back, records flow again, none twice, and `source_<stream>_0_reconnects_total` counts the reconnection (eKuiper never reconnects).

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    And the remote server sends '{"n": 1}'
    And the rule "r1" outputs {"n": 1}
    When the remote server goes away
    Then the rule "r1" shows the connection down
    And the rule "r1" keeps running
    When the remote server comes back
    Then the remote server receives a connection for "/api/data"
    And the rule "r1" shows the connection up
    And the rule "r1" counts at least 1 reconnection
    When the remote server sends '{"n": 2}'
    Then the rule "r1" outputs {"n": 2}
    And the rule "r1" outputs nothing more

  @client-mode @extension @id:client-reconnect-backoff-bounded-and-stoppable
  Scenario: With the remote server gone for good, retries go on at a bounded interval and stop with the rule
    The wait between attempts doubles only up to `maxReconnectInterval`, so attempts keep coming (`source_<stream>_0_reconnect_attempts_total`); stopping the rule stops them at once.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | reconnectInterval    | 50ms  |
      | maxReconnectInterval | 200ms |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    And the remote server receives a connection for "/api/data"
    When the remote server goes away
    Then the rule "r1" shows the connection down
    And the rule "r1" counts at least 12 reconnection attempts
    And the rule "r1" keeps running
    When I stop the rule "r1"
    Then the rule "r1" status becomes "stopped"
    When the remote server comes back
    Then the remote server receives no further connection

  @client-mode @extension @id:client-reconnects-through-503
  Scenario: The engine reconnects through handshakes refused with HTTP 503
    A remote server that answers 503 for a while is dialed again with backoff until it accepts; each refusal is recorded.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | reconnectInterval    | 50ms  |
      | maxReconnectInterval | 200ms |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    And the remote server receives a connection for "/api/data"
    When the remote server refuses the next 3 handshakes with HTTP 503
    And the remote server drops the connection
    Then the remote server receives a connection for "/api/data"
    And the rule "r1" counts at least 4 reconnection attempts
    And the rule "r1" status mentions "503"
    And the rule "r1" shows the connection up
    When the remote server sends '{"after": 503}'
    Then the rule "r1" outputs {"after": 503}

  @client-mode @extension @id:client-reconnect-counted-once-each
  Scenario: Each reconnection attempt is counted once, and its exception names the next wait
    While the remote server refuses 3 handshakes, the engine counts every dial it makes to get the connection back (`reconnect_attempts_total`: 3 refused and 1 accepted) and the one that succeeded (`reconnects_total`); the exception of each refused attempt names the doubled wait before the next (50 ms, then 100, 200, 400 ms).

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | reconnectInterval    | 50ms |
      | maxReconnectInterval | 1s   |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    And the remote server receives a connection for "/api/data"
    When the remote server refuses the next 3 handshakes with HTTP 503
    And the remote server drops the connection
    Then the remote server receives a connection for "/api/data"
    And the rule "r1" shows the connection up
    And the rule "r1" counts 4 reconnection attempts and 1 reconnection
    And the rule "r1" status mentions "reconnect attempt 3 (next in 400ms)"
    When the remote server sends '{"after": "reconnect"}'
    Then the rule "r1" outputs {"after": "reconnect"}
    And the rule "r1" outputs nothing more

  @client-mode @should @id:client-reconnect-interval-zero-never-reconnects
  Scenario: With reconnectInterval 0 the engine does not dial again
    `reconnectInterval: 0` turns reconnection off, as eKuiper behaves: after the remote server drops the connection, the rule keeps running and no new connection is made.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | reconnectInterval | 0 |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    And the remote server receives a connection for "/api/data"
    When the remote server drops the connection
    Then the rule "r1" reports an exception
    And the rule "r1" keeps running
    And the remote server receives no further connection
