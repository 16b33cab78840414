Feature: Robustness
  A WebSocket source must survive misbehaving peers and bursts: a protocol
  violation ends only the offending connection, with the close code RFC 6455
  gives it, and no message is ever lost inside the engine; a slow consumer slows
  the socket instead.

  @robustness @extension @id:robust-invalid-utf8-closes-1007
  Scenario: Invalid UTF-8 in a text message closes the connection with 1007
    A text message that is not valid UTF-8 fails the connection with close code 1007 and is recorded as an exception.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends a text message with invalid UTF-8
    Then client "c1" is closed with code 1007
    And the rule "r1" reports an exception
    And the rule "r1" keeps running

  @robustness @extension @needs-message-limit @id:robust-oversized-closes-1009
  Scenario: A message over the size limit closes the connection with 1009
    A message longer than the configured limit fails the connection with close code 1009 and is recorded as an exception.

    Given the message size limit is 1024 bytes
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends a message of 4096 bytes
    Then client "c1" is closed with code 1009
    And the rule "r1" reports an exception
    And the rule "r1" keeps running

  @robustness @extension @needs-message-limit @id:robust-message-at-limit-accepted
  Scenario: A message at the size limit is accepted
    The limit is inclusive: a message of exactly the limit is decoded.

    Given the message size limit is 1024 bytes
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends a message of 1024 bytes
    Then the rule "r1" outputs 1 record

  @robustness @extension @id:robust-server-burst-lossless
  Scenario: A burst of 20,000 messages is delivered whole and in order
    Nothing is dropped inside the engine: every message of a burst on one connection becomes a record, in order (eKuiper drops about a third).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends 20000 numbered messages
    Then the rule "r1" outputs 20000 numbered records in order

  @robustness @should @id:robust-order-kept
  Scenario: Records from one connection keep their order
    The records of one connection come out in the order its messages were sent.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends 500 numbered messages
    Then the rule "r1" outputs 500 numbered records in order

  @robustness @extension @id:robust-invalid-utf8-spares-others
  Scenario: A client sending invalid UTF-8 does not disturb the others
    Only the offending connection is closed; the other clients of the endpoint keep feeding the rule.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "bad" connected to "/api/data"
    And a client "good" connected to "/api/data"
    When client "bad" sends a text message with invalid UTF-8
    Then client "bad" is closed with code 1007
    When client "good" sends '{"good": true}'
    Then the rule "r1" outputs {"good": true}

  @robustness @extension @needs-message-limit @id:robust-oversized-spares-others
  Scenario: A client sending an oversized message does not disturb the others
    Only the offending connection is closed; the other clients of the endpoint keep feeding the rule.

    Given the message size limit is 1024 bytes
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "bad" connected to "/api/data"
    And a client "good" connected to "/api/data"
    When client "bad" sends a message of 4096 bytes
    Then client "bad" is closed with code 1009
    When client "good" sends '{"good": true}'
    Then the rule "r1" outputs {"good": true}

  @robustness @extension @id:robust-silent-connection-blocks-no-one
  Scenario: A connection that never finishes its handshake does not block others
    A TCP connection that sends nothing does not keep other clients from connecting.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a silent TCP connection to the data server
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}

  @robustness @extension @id:robust-client-invalid-utf8-recorded
  Scenario: Invalid UTF-8 from the remote server is recorded
    In client mode, a text message that is not valid UTF-8 is recorded as an exception and yields no record.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends a text message with invalid UTF-8
    Then the rule "r1" reports an exception
    And the remote server sees the connection closed with code 1007
    And the rule "r1" outputs nothing

  @robustness @extension @id:robust-client-burst-lossless
  Scenario: A burst from the remote server is delivered whole and in order
    In client mode too, every message of a burst becomes a record, in order.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends 20000 numbered messages
    Then the rule "r1" outputs 20000 numbered records in order

  @robustness @should @id:robust-large-distinct-messages-exact
  Scenario: Large distinct messages in a burst arrive exact and in order
    A record never shares bytes with a read buffer the source reuses: 200 messages of 64 KiB, each with its own content, come out whole, unchanged and in order.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends 200 distinct messages of 64 KiB
    Then the rule "r1" outputs the 200 distinct messages of 64 KiB, exact and in order

  @robustness @should @needs-hanging-sink @id:robust-hanging-sink-spares-other-rules
  Scenario: A rule whose sink never answers does not hold back the other rules of its stream
    A sink call that gets no answer within its timeout is a sink error: the record is tried a bounded number of times, then counted as failed and dropped, and while the sink keeps failing its rule drops what it cannot queue instead of slowing the stream, so the other rules of the stream get every record. A sink that answers, however slowly, still slows the stream and loses nothing.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "stuck" runs "SELECT * FROM demo" into a sink that never answers, with a timeout of 500 ms
    And the rule "live" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends 300 numbered messages
    Then the rule "live" outputs 300 numbered records in order within 5 seconds
    And the rule "stuck" reports a sink exception mentioning "Timeout"
    And the rule "stuck" keeps running
