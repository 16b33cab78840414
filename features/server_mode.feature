Feature: Server mode
  When a stream's confKey has no `addr`, the engine is the WebSocket server: it
  serves the stream's DATASOURCE path on its global data server
  (`source.httpServerIp` and `source.httpServerPort` in kuiper.yaml, 0.0.0.0:10081
  by default), and every text message any connected client sends becomes records.
  The suite plays the clients. Stream names, rule ids and paths below are
  examples: the suite gives each scenario its own copies.

  @server-mode @must @id:server-messages-become-records
  Scenario: A client's messages become records
    A text message sent to the stream's endpoint comes out of the rule as records.

    Given a stream created with:
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"temperature": 21.5}'
    Then the rule "r1" outputs {"temperature": 21.5}

  @server-mode @must @id:server-many-clients-feed-one-stream
  Scenario: Many clients feed one stream
    Any number of clients may connect to one endpoint; the messages of all of them reach the stream.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    And a client "c2" connected to "/api/data"
    And a client "c3" connected to "/api/data"
    When client "c1" sends '{"from": "c1"}'
    And client "c2" sends '{"from": "c2"}'
    And client "c3" sends '{"from": "c3"}'
    Then the rule "r1" outputs, in any order:
      """
      [{"from": "c1"}, {"from": "c2"}, {"from": "c3"}]
      """

  @server-mode @should @id:server-unknown-path-404
  Scenario: A path with no endpoint answers 404
    The data server refuses the upgrade of a path no running rule serves with HTTP 404.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    Then connecting to "/nowhere" is refused with HTTP 404

  @server-mode @should @id:server-404-after-stop
  Scenario: A stopped rule's endpoint answers 404 until the rule starts again
    Stopping the rule that served clients removes its endpoint; starting it serves the path again.

    Given a server-mode stream "demo" on "/api/data"
    And a server-mode stream "other" on "/other"
    And the rule "r1" runs "SELECT * FROM demo"
    And the rule "r_other" runs "SELECT * FROM other"
    And a client "c0" connected to "/api/data"
    And client "c0" sends '{"before": true}'
    And the rule "r1" outputs {"before": true}
    When I stop the rule "r1"
    Then connecting to "/api/data" is refused with HTTP 404
    When I start the rule "r1"
    And a client "c1" connected to "/api/data"
    And client "c1" sends '{"back": true}'
    Then the rule "r1" outputs {"back": true}

  @server-mode @extension @id:server-404-after-stop-without-clients
  Scenario: A stopped rule's endpoint answers 404 even if no client ever connected
    Stopping a rule removes its endpoint whether or not a client used it (eKuiper keeps upgrading an endpoint that never had a client).

    Given a server-mode stream "demo" on "/api/data"
    And a server-mode stream "other" on "/other"
    And the rule "r1" runs "SELECT * FROM demo"
    And the rule "r_other" runs "SELECT * FROM other"
    When I stop the rule "r1"
    Then connecting to "/api/data" is refused with HTTP 404

  @server-mode @should @id:server-404-after-delete
  Scenario: A deleted rule's endpoint answers 404
    Deleting the only rule on a stream, after it served a client, removes its endpoint.

    Given a server-mode stream "demo" on "/api/data"
    And a server-mode stream "other" on "/other"
    And the rule "r1" runs "SELECT * FROM demo"
    And the rule "r_other" runs "SELECT * FROM other"
    And a client "c0" connected to "/api/data"
    And client "c0" sends '{"before": true}'
    And the rule "r1" outputs {"before": true}
    When I delete the rule "r1"
    Then connecting to "/api/data" is refused with HTTP 404

  @server-mode @extension @id:server-404-after-delete-without-clients
  Scenario: A deleted rule's endpoint answers 404 even if no client ever connected
    Deleting the only rule on a stream removes its endpoint whether or not a client used it (eKuiper keeps upgrading an endpoint that never had a client).

    Given a server-mode stream "demo" on "/api/data"
    And a server-mode stream "other" on "/other"
    And the rule "r1" runs "SELECT * FROM demo"
    And the rule "r_other" runs "SELECT * FROM other"
    When I delete the rule "r1"
    Then connecting to "/api/data" is refused with HTTP 404

  @server-mode @should @id:server-two-rules-both-get-every-record
  Scenario: Two rules on one stream both get every record
    Rules reading the same stream share its endpoint and each receives every message.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And the rule "r2" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    And client "c1" sends '[{"n": 2}, {"n": 3}]'
    Then the rule "r1" outputs [{"n": 1}, {"n": 2}, {"n": 3}]
    And the rule "r2" outputs [{"n": 1}, {"n": 2}, {"n": 3}]

  @server-mode @should @id:server-client-drop-keeps-rule
  Scenario: A client that drops without a close frame does not stop the rule
    A vanished client is recorded as an exception; the rule keeps running and other clients keep feeding it.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    And a client "c2" connected to "/api/data"
    When client "c1" drops the connection without a close frame
    Then the rule "r1" reports an exception
    And the rule "r1" keeps running
    When client "c2" sends '{"still": "here"}'
    Then the rule "r1" outputs {"still": "here"}

  @server-mode @should @id:server-client-close-keeps-rule
  Scenario: A client that leaves normally does not stop the rule
    A client's normal close ends only that client; the endpoint keeps serving new clients.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" closes the connection normally
    And a client "c2" connected to "/api/data"
    And client "c2" sends '{"after": "c1"}'
    Then the rule "r1" outputs {"after": "c1"}
    And the rule "r1" status becomes "running"

  @server-mode @must @id:server-ping-pong
  Scenario: A ping is answered with a pong
    The endpoint answers a client's ping with a pong carrying the same data.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    Then client "c1" gets a pong for the ping "are you there"

  @server-mode @should @id:server-any-origin
  Scenario: Any Origin is accepted
    The endpoint does not check the Origin header of the handshake.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data" with the header "Origin: http://elsewhere.example"
    When client "c1" sends '{"origin": "elsewhere"}'
    Then the rule "r1" outputs {"origin": "elsewhere"}

  @server-mode @must @id:server-fragmented-message
  Scenario: A message sent in fragments is one message
    A text message split over several frames is reassembled before decoding.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"part": "one and two and three"}' in 3 fragments
    Then the rule "r1" outputs {"part": "one and two and three"}

  @server-mode @must @id:server-two-paths-kept-apart
  Scenario: Two streams on two paths are kept apart
    A message sent to one stream's path reaches only the rules of that stream.

    Given a server-mode stream "left" on "/left"
    And a server-mode stream "right" on "/right"
    And the rule "r_left" runs "SELECT * FROM left"
    And the rule "r_right" runs "SELECT * FROM right"
    And a client "c1" connected to "/left"
    And a client "c2" connected to "/right"
    When client "c1" sends '{"side": "left"}'
    And client "c2" sends '{"side": "right"}'
    Then the rule "r_left" outputs {"side": "left"}
    And the rule "r_right" outputs {"side": "right"}
    And the rule "r_left" outputs nothing more
    And the rule "r_right" outputs nothing more

  @server-mode @extension @id:server-stop-closes-clients-1001
  Scenario: Stopping the rule closes its clients with "going away"
    Once the last rule on an endpoint stops, its connected clients get close code 1001.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When I stop the rule "r1"
    Then client "c1" is closed with code 1001

  @server-mode @should @id:server-stop-later-rule
  Scenario: Stopping a later rule on a stream leaves the first one its clients
    Stopping the second of two rules on a stream leaves the endpoint and its clients to the first rule.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And the rule "r2" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When I stop the rule "r2"
    And client "c1" sends '{"after": "stop"}'
    Then the rule "r1" outputs {"after": "stop"}

  @server-mode @extension @id:server-stop-first-rule
  Scenario: Clients stay connected while any rule reads the stream
    Stopping the first of two rules on a stream leaves the endpoint and its clients to the other rule (eKuiper closes the clients and the other rule gets nothing more).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And the rule "r2" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When I stop the rule "r1"
    And client "c1" sends '{"after": "stop"}'
    Then the rule "r2" outputs {"after": "stop"}

  @server-mode @should @id:server-status-counts-messages
  Scenario: The rule status counts the messages received
    The source's `records_in_total` metric counts the text messages the stream received.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    And client "c1" sends '{"n": 2}'
    And client "c1" sends '{"n": 3}'
    Then the rule "r1" outputs [{"n": 1}, {"n": 2}, {"n": 3}]
    And the rule "r1" counts 3 messages in

  @server-mode @should @id:server-path-matched-exactly
  Scenario Outline: The endpoint's path is matched exactly
    Only the DATASOURCE path itself is served: `<path>` answers 404 while only "/api/data" is.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    Then connecting to "<path>" is refused with HTTP 404

    Examples:
      | path        |
      | /api/data/x |
      | /api/dat    |
      | /api/data/  |
      | /API/DATA   |

  @server-mode @extension @id:server-half-handshake-cut-off
  Scenario: A client that never finishes its handshake is cut off
    The data server bounds the time a client may take to send its handshake (the reference allows 5 seconds): a connection that sends half an upgrade request is closed (eKuiper waits 5 minutes).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a connection that sends half a handshake for "/api/data"
    Then the data server closes that connection within 10 seconds

  @server-mode @extension @id:server-silent-connection-cut-off
  Scenario: A connection that never starts its handshake is cut off
    The data server bounds the time a client may take to start its handshake (the reference allows 5 seconds): a TCP connection that sends nothing is closed (eKuiper waits 5 minutes).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a silent TCP connection to the data server
    Then the data server closes that connection within 10 seconds

  @server-mode @should @id:server-two-streams-one-path
  Scenario: Two streams on one path share its endpoint
    A second stream with the same DATASOURCE reads the same endpoint: a client's messages reach the rules of both streams.

    Given a server-mode stream "first" on "/api/data"
    And a server-mode stream "second" on "/api/data"
    And the rule "r1" runs "SELECT * FROM first"
    And the rule "r2" runs "SELECT * FROM second"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
    And the rule "r2" outputs {"n": 1}
    And the rule "r1" outputs nothing more
    And the rule "r2" outputs nothing more

  @server-mode @should @id:server-sink-counts-records
  Scenario: The rule status counts the records its sink took and sent
    Each sink of a rule has its own counters in the rule status: `sink_<type>_<index>_0_records_in_total` counts the records the rule handed to the sink, `sink_<type>_<index>_0_records_out_total` those the sink delivered. A message the rule's WHERE filters out reaches no sink.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo WHERE n > 1"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    And client "c1" sends '{"n": 2}'
    And client "c1" sends '{"n": 3}'
    Then the rule "r1" outputs [{"n": 2}, {"n": 3}]
    And the rule "r1" counts 3 messages in
    And the rule "r1" sink counts 2 records in and 2 records out

  @server-mode @extension @id:server-shared-path-same-fields
  Scenario: Streams sharing a path must declare the same fields
    The endpoint of a path decodes each message once, with one schema: while a rule reads a typed stream on a path, a rule on another stream of that path is refused when its fields differ (here a field of the same type under another name), and runs when they are the same.

    Given a stream created with:
      """
      CREATE STREAM first (n BIGINT) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And a stream created with:
      """
      CREATE STREAM second (m BIGINT) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And a stream created with:
      """
      CREATE STREAM third (n BIGINT) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM first"
    Then the rule "r2" running "SELECT * FROM second" is refused with "same fields"
    And the rule "r3" runs "SELECT * FROM third"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
    And the rule "r3" outputs {"n": 1}

  @server-mode @should @id:server-plain-http-request-400
  Scenario: A request on an endpoint that asks for no upgrade is answered with HTTP 400
    A plain HTTP GET of a served path, without the WebSocket upgrade headers, is refused with HTTP 400; it holds nothing, so the rule still stops at once.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    Then a plain HTTP GET request for "/api/data" is answered with HTTP 400
    When I stop the rule "r1"
    Then the rule "r1" status becomes "stopped"

  @server-mode @extension @needs-data-server-limits @id:server-client-normal-close-no-exception-with-idle-timeout
  Scenario: With an idle timeout set, a client's normal close is still not an exception
    The idle timeout ends only clients that fall silent; one that leaves with close code 1000 is not recorded as an exception.

    Given the data server's idle timeout is 2000 milliseconds
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    And client "c1" sends '{"n": 1}'
    And the rule "r1" outputs {"n": 1}
    When client "c1" closes the connection normally
    Then the rule "r1" reports no exception

  @server-mode @extension @id:server-client-mode-stop-keeps-same-path-endpoint
  Scenario: Stopping a client-mode rule leaves a server-mode endpoint of the same path alone
    A client-mode stream reading "/api/data" from a remote server and a server-mode stream serving "/api/data" are unrelated: both run, and stopping the client-mode rule leaves the endpoint and its clients to the server-mode rule (eKuiper shares the source by path, so the server-mode stream's endpoint is never served).

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "far" reading "/api/data" through the confKey "remote"
    And a server-mode stream "near" on "/api/data"
    And the rule "r_far" runs "SELECT * FROM far"
    And the rule "r_near" runs "SELECT * FROM near"
    And the remote server receives a connection for "/api/data"
    And a client "c1" connected to "/api/data"
    When I stop the rule "r_far"
    And the remote server sees the connection closed
    And client "c1" sends '{"near": true}'
    Then the rule "r_near" outputs {"near": true}

  @server-mode @should @id:server-no-pings-without-idle-timeout
  Scenario: Without an idle timeout the data server sends no pings
    Unless an idle timeout is configured, the data server leaves a quiet client alone: it sends it no ping.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "quiet" that counts the pings it gets connected to "/api/data"
    Then client "quiet" gets no ping
    When client "quiet" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
