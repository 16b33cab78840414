Feature: Data server lifecycle
  The documentation says: "The global server initializes when any rule requiring
  a WebSocket source is activated. It terminates once all associated rules are
  closed." So the data server's port is open exactly while at least one
  server-mode rule runs. (eKuiper itself opens the port at boot.) These scenarios
  need a data server that only this scenario's rules use.

  @lifecycle @must @needs-lifecycle @id:lifecycle-port-closed-before-first-rule
  Scenario: The port is closed before the first server-mode rule
    Before any server-mode rule runs, nothing listens on the data server's port.

    Given a server-mode stream "demo" on "/api/data"
    Then the data server port is closed

  @lifecycle @must @needs-lifecycle @id:lifecycle-port-opens-with-rule
  Scenario: The port opens when a server-mode rule starts
    Starting the first server-mode rule opens the data server's port.

    Given a server-mode stream "demo" on "/api/data"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the data server port is open

  @lifecycle @must @needs-lifecycle @id:lifecycle-port-open-while-any-rule-runs
  Scenario: The port stays open while any server-mode rule runs
    Stopping one of two server-mode rules leaves the port open; stopping the last closes it.

    Given a server-mode stream "one" on "/one"
    And a server-mode stream "two" on "/two"
    And the rule "r1" runs "SELECT * FROM one"
    And the rule "r2" runs "SELECT * FROM two"
    When I stop the rule "r1"
    Then the data server port stays open
    And a client "c2" connected to "/two"
    When I stop the rule "r2"
    Then the data server port is closed

  @lifecycle @must @needs-lifecycle @id:lifecycle-port-opens-again
  Scenario: The port opens again for the next rule
    After the last rule stopped, the next server-mode rule opens the port again, at the same address.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And the data server port is open
    When I stop the rule "r1"
    Then the data server port is closed
    When I start the rule "r1"
    Then the data server port is open
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"reopened": true}'
    Then the rule "r1" outputs {"reopened": true}

  @lifecycle @must @needs-lifecycle @id:lifecycle-delete-last-rule-closes-port
  Scenario: Deleting the last rule closes the port
    Deleting the last running server-mode rule closes the data server's port.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And the data server port is open
    When I delete the rule "r1"
    Then the data server port is closed

  @lifecycle @must @needs-lifecycle @id:lifecycle-client-mode-never-opens-port
  Scenario: Client-mode rules never open the port
    A rule on a client-mode stream dials out and leaves the data server closed.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
    And the data server port stays closed

  @lifecycle @must @needs-lifecycle @id:lifecycle-two-rules-one-stream-keep-port-open
  Scenario: Two rules on one stream keep the port open until both stop
    The endpoint of a stream lives while any rule reads it.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And the rule "r2" runs "SELECT * FROM demo"
    When I stop the rule "r1"
    Then the data server port stays open
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 2}'
    Then the rule "r2" outputs {"n": 2}
    When I stop the rule "r2"
    Then the data server port is closed

  @lifecycle @extension @needs-lifecycle @id:lifecycle-closed-port-kept-from-other-sockets
  Scenario: While closed, the data server's port refuses clients and no other socket can take it
    Between rules the port refuses connections, as documented, but stays bound to the engine: no other listener and no outgoing connection (whose source port the system picks from the same range) can take it, so the next server-mode rule always gets its port back.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And the data server port is open
    When I stop the rule "r1"
    Then the data server port is closed
    And no other socket can bind the data server's port
    When 300 outgoing connections churn through the ephemeral ports
    And I start the rule "r1"
    Then the data server port is open
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"back": true}'
    Then the rule "r1" outputs {"back": true}

  @lifecycle @extension @needs-lifecycle @id:lifecycle-port-taken-stops-rule
  Scenario: A data server port taken by another program stops the rule with the bind error
    If another program listens on the data server's port when the first server-mode rule starts, the data server cannot open it: the rule is "stopped by error" with the bind error. Once the port is free, starting the rule again serves the endpoint.

    Given a server-mode stream "demo" on "/api/data"
    And another program listens on the data server's port
    When the rule "r1" runs "SELECT * FROM demo"
    Then the rule "r1" status becomes "stopped by error"
    And the rule "r1" status mentions "address already in use"
    When the other program stops listening
    And I start the rule "r1"
    Then the rule "r1" status becomes "running"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
