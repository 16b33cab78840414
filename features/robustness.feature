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
    Then the rule "live" outputs 300 numbered records in order within 30 seconds
    And the rule "stuck" reports a sink exception mentioning "Timeout"
    And the rule "stuck" keeps running

  @robustness @extension @needs-data-server-limits @id:robust-connection-cap-refuses-next-client
  Scenario: The client over the data server's connection cap is refused with HTTP 503
    With `source.httpServerMaxConnections` connections held, the next client gets HTTP 503 naming the cap; the clients already connected keep feeding the rule (eKuiper has no cap: idle clients can take every file descriptor and lock out its REST API). The default cap is three quarters of the open-file limit.

    Given the data server accepts at most 3 connections
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    And a client "c2" connected to "/api/data"
    And a client "c3" connected to "/api/data"
    Then connecting to "/api/data" is refused with HTTP 503
    When client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
    When client "c2" closes the connection normally
    Then a client "c4" connected to "/api/data"
    When client "c4" sends '{"n": 4}'
    Then the rule "r1" outputs {"n": 4}

  @robustness @extension @needs-data-server-limits @id:robust-idle-client-closed
  Scenario: A client that sends nothing and answers no ping is closed after the idle timeout
    With `source.httpServerIdleTimeout` set, the data server pings its clients; one that neither sends a frame nor answers a ping for that long is closed with 1001 and recorded, a quiet client that answers pings stays.

    Given the data server's idle timeout is 2000 milliseconds
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "quiet" connected to "/api/data"
    And a client "gone" that answers no pings connected to "/api/data"
    Then client "gone" is closed with code 1001
    And the rule "r1" status mentions "idle timeout"
    And client "quiet" stays connected
    When client "quiet" sends '{"still": "here"}'
    Then the rule "r1" outputs {"still": "here"}

  @robustness @extension @id:robust-endless-fragments-closed-1008
  Scenario: A message kept open by endless empty fragments closes its connection with 1008
    A message must be complete within the confKey's `messageTimeout` (default 30 s) of its first frame; a client that sends a text frame and then empty continuation frames without end (hundreds of thousands of them) is closed with 1008 and recorded, and the other clients keep feeding the rule (eKuiper keeps such a message open for ever).

    Given the confKey "slow" has:
      | messageTimeout | 1s |
    And a server-mode stream "demo" on "/api/data" through the confKey "slow"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "endless" connected to "/api/data"
    And a client "good" connected to "/api/data"
    When client "endless" sends a text frame and then empty continuation frames without end
    Then client "endless" is closed with code 1008
    And the rule "r1" status mentions "not complete within"
    When client "good" sends '{"good": true}'
    Then the rule "r1" outputs {"good": true}
    And the rule "r1" keeps running

  @robustness @extension @id:robust-client-endless-fragments-closed-1008
  Scenario: A remote server keeping a message open with endless fragments is closed with 1008
    In client mode too, a message not complete within `messageTimeout` of its first frame closes the connection with 1008 and is recorded.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server with:
      | messageTimeout | 1s |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends a text frame and then empty continuation frames without end
    Then the remote server sees the connection closed with code 1008
    And the rule "r1" status mentions "not complete within"
    And the rule "r1" outputs nothing

  @robustness @extension @id:robust-client-endless-handshake-headers
  Scenario: A remote server sending endless handshake headers fails the dial at the size limit
    The response to a client-mode handshake (status line and headers) is limited to 64 KiB: a remote server that sends header lines without end fails the dial at once with an exception naming the limit, instead of filling the engine's memory until the 3 s handshake timeout.

    Given a remote WebSocket server that sends endless handshake headers
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the rule "r1" status becomes "stopped by error"
    And the rule "r1" status mentions "handshake response"
    And the rule "r1" status mentions "is larger than 65536 bytes"

  @robustness @should @id:robust-slow-client-does-not-slow-others
  Scenario: A slow client does not hold up the other clients of its endpoint
    A client whose bytes trickle in (one byte every 10 ms, through the suite's fault proxy) is read on its own: the messages of another client of the same endpoint become records while the slow message is still arriving, and the slow message becomes a record once it is complete.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "slow" connected to "/api/data" through the fault proxy
    And a client "fast" connected to "/api/data"
    When the fault proxy of client "slow" drips one byte every 10 ms
    And client "slow" sends a message of 60 bytes
    And client "fast" sends 20 numbered messages
    Then the rule "r1" outputs 20 numbered records in order
    And the rule "r1" outputs 1 record

  @robustness @extension @needs-data-server-limits @id:robust-half-open-client-detected
  Scenario: A half-open client is detected by the idle timeout and recorded
    A client behind a connection that went half-open (the suite's fault proxy stops reading and keeps both sockets open) answers no ping: with `source.httpServerIdleTimeout` set, the data server drops it and records why; the other clients and the rule go on.

    Given the data server's idle timeout is 2000 milliseconds
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "gone" connected to "/api/data" through the fault proxy
    And a client "c2" connected to "/api/data"
    When the fault proxy of client "gone" goes half-open
    Then the rule "r1" reports an exception mentioning "idle timeout"
    And the rule "r1" keeps running
    When client "c2" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}

  @robustness @extension @id:robust-failed-connection-one-exception
  Scenario: A connection the source fails is recorded once
    A text message with invalid UTF-8 makes the source fail that connection with close code 1007: the source counts exactly one exception for it.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends a text message with invalid UTF-8
    Then client "c1" is closed with code 1007
    And the rule "r1" counts 1 source exception

  @robustness @extension @id:robust-message-timeout-not-between-messages
  Scenario: The message timeout bounds one message, not the pause between messages
    `messageTimeout` counts from a message's first frame to its last; a client that pauses longer than that between two messages is not cut off.

    Given the confKey "slow" has:
      | messageTimeout | 1s |
    And a server-mode stream "demo" on "/api/data" through the confKey "slow"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "patient" connected to "/api/data"
    And a client "endless" connected to "/api/data"
    When client "patient" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
    When client "endless" sends a text frame and then empty continuation frames without end
    Then client "endless" is closed with code 1008
    When client "patient" sends '{"n": 2}'
    Then the rule "r1" outputs {"n": 2}

  @robustness @should @id:robust-half-open-client-does-not-block-stop
  Scenario: A half-open client does not keep its rule from stopping
    A client behind a connection that went half-open (the suite's fault proxy stops reading and keeps both sockets open) never answers the close frame; stopping the rule still completes, the wait for the client's answer being bounded.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "gone" connected to "/api/data" through the fault proxy
    And client "gone" sends '{"n": 1}'
    And the rule "r1" outputs {"n": 1}
    When the fault proxy of client "gone" goes half-open
    And I stop the rule "r1"
    Then the rule "r1" status becomes "stopped"

  @robustness @extension @needs-data-server-limits @id:robust-connection-cap-room-for-one-more
  Scenario: Each client that leaves makes room for exactly one more
    At the cap, every further client is refused with HTTP 503, however many try; when one connected client leaves, one more gets in, and the next is refused again.

    Given the data server accepts at most 2 connections
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    And a client "c2" connected to "/api/data"
    Then connecting to "/api/data" is refused with HTTP 503
    And connecting to "/api/data" is refused with HTTP 503
    When client "c1" closes the connection normally
    Then a client "c3" connected to "/api/data"
    And connecting to "/api/data" is refused with HTTP 503
    When client "c3" sends '{"n": 3}'
    Then the rule "r1" outputs {"n": 3}

  @robustness @extension @needs-data-server-limits @id:robust-connection-cap-answers-every-refusal
  Scenario: Every client over the cap is told why, one after another
    Forty clients in a row over the cap each get HTTP 503, not a connection closed without an answer.

    Given the data server accepts at most 1 connection
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    Then the next 40 clients connecting to "/api/data" are each refused with HTTP 503
    When client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}

  @robustness @extension @needs-data-server-limits @id:robust-connection-cap-silent-refused-closed
  Scenario: At the cap, a connection that sends nothing is closed
    A TCP connection over the cap that never sends its request is not held: the data server closes it within a bound, and the connected client keeps feeding the rule.

    Given the data server accepts at most 1 connection
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    And a silent TCP connection to the data server
    Then the data server closes that connection within 10 seconds
    When client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}

  @robustness @extension @needs-data-server-limits @id:robust-idle-timeout-pings-again-and-again
  Scenario: With an idle timeout, a quiet client that answers pings is pinged again and again and stays
    With `source.httpServerIdleTimeout` set, the data server pings every client at half that interval, for as long as it is connected: a client that sends nothing but answers each ping gets ping after ping, well past the idle timeout, and is never closed.

    Given the data server's idle timeout is 2000 milliseconds
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "quiet" that counts the pings it gets connected to "/api/data"
    Then client "quiet" gets at least 3 pings and answers them
    And client "quiet" stays connected
    When client "quiet" sends '{"still": "here"}'
    Then the rule "r1" outputs {"still": "here"}

  @robustness @extension @id:robust-one-byte-over-limit-closes-1009
  Scenario: A message one byte over the confKey's size limit closes the connection with 1009
    The confKey's `maxMessageBytes` is applied as set, down to a single byte: a message of exactly the limit is read (here `7`, one byte, read and decoded, a decode error as it is not an object), one a byte longer fails the connection with close code 1009.

    Given the confKey "tiny" has:
      | maxMessageBytes | 1 |
    And a server-mode stream "demo" on "/api/data" through the confKey "tiny"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '7'
    Then the rule "r1" counts 1 decode error
    When client "c1" sends '{}'
    Then client "c1" is closed with code 1009
    And the rule "r1" keeps running

  @robustness @should @id:robust-cut-mid-frame-no-partial-record
  Scenario: A connection cut in the middle of a frame is an exception, never a partial record
    A TCP connection that ends halfway through a frame makes the source record an exception and emit nothing of that frame, not even a decode error; the rule keeps running.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data" through the fault proxy
    When client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
    When the fault proxy of client "c1" cuts the next frame in half
    And client "c1" sends '{"n": 2, "pad": "a message long enough to be cut in half"}'
    Then the rule "r1" reports an exception
    And the rule "r1" outputs nothing more
    And the rule "r1" counts 0 decode errors
    And the rule "r1" keeps running

  @robustness @should @id:robust-message-over-queue-bytes-passes
  Scenario: A single message of 5 MiB is decoded and delivered
    A message larger than what a rule queues at once (4 MiB in the reference) still passes when nothing else waits: it becomes one record.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends a message of 5242880 bytes
    Then the rule "r1" outputs 1 record within 30 seconds

  @robustness @should @needs-hanging-sink @id:robust-hanging-sink-one-exception-per-record
  Scenario: A record the sink never takes is one sink exception
    A record whose sink never answers is tried a bounded number of times and then counted once: 1 record in, none out, 1 exception with its text and time.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo" into a sink that never answers, with a timeout of 200 ms
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    Then the rule "r1" metrics stay:
      | metric                       | value  |
      | sink_*_records_in_total      | 1      |
      | sink_*_records_out_total     | 0      |
      | sink_*_exceptions_total      | 1      |
      | sink_*_last_exception_time   | a time |
    And the rule "r1" keeps running

  @robustness @extension @needs-hanging-sink @id:robust-hanging-sink-drops-counted
  Scenario: Records a failing sink cannot take are dropped at once and counted as sink exceptions
    While the sink never answers, the records its rule cannot queue are dropped at once, each counted in and as an exception: of 300 messages, at least 100 are counted within the wait (eKuiper tries every record for the sink's whole timeout, one after another, and counts about 22 in 5 s).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo" into a sink that never answers, with a timeout of 200 ms
    And a client "c1" connected to "/api/data"
    When client "c1" sends 300 numbered messages
    Then the rule "r1" metrics become:
      | metric                       | value  |
      | sink_*_records_in_total      | >= 100 |
      | sink_*_exceptions_total      | >= 100 |
      | sink_*_records_out_total     | 0      |
