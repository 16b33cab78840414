Feature: Sinks and the rule list
  A rule sends its records to the sinks its actions name: `rest` posts each
  record to an HTTP endpoint, `log` writes it to the engine's log, `nop`
  discards it. The engine checks a rest action's properties when the rule is
  created and refuses a bad one with a message naming it; every action of a
  rule gets every record; a sink that fails counts the failure in its rule's
  status and holds back no other rule. The engine's rule list (eKuiper's
  `GET /rules`) shows every rule with its state.

  In the rule JSON of these scenarios, the action `{"collect": {}}` stands
  for the suite's own record collector (a rest sink posting to the suite),
  and `${nowhere-url}` for an http URL on a loopback port where nothing
  listens.

  @sinks @should @needs-rule-json @id:sinks-rest-url-empty-refused
  Scenario: A rest action with an empty url is refused
    A rest action needs a url to post to; an empty one is refused with "url is required".

    Given a server-mode stream "demo" on "/api/data"
    Then creating the rule "r1" from this JSON is refused with "url is required":
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {"url": "", "method": "post"}}]}
      """

  @sinks @extension @needs-rule-json @id:sinks-rest-url-required
  Scenario: A rest action without a url is refused
    The url property of a rest action is required, as eKuiper documents it; a rule whose rest action lacks it is refused, naming the property (eKuiper takes the rule and posts to http://localhost, its built-in default).

    Given a server-mode stream "demo" on "/api/data"
    Then creating the rule "r1" from this JSON is refused with "url is required":
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {"method": "post"}}]}
      """

  @sinks @should @needs-rule-json @id:sinks-rest-url-not-a-string-refused
  Scenario: A rest action whose url is not a string is refused
    A url given as a number is refused when the rule is created, never left for the sink to fail on.

    Given a server-mode stream "demo" on "/api/data"
    Then creating the rule "r1" from this JSON is refused with "fail to parse the properties":
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {"url": 8080}}]}
      """

  @sinks @should @needs-rule-json @id:sinks-rest-url-scheme-refused
  Scenario: A rest action whose url is not http or https is refused
    The url must be an http or https URL; another scheme is refused, naming it.

    Given a server-mode stream "demo" on "/api/data"
    Then creating the rule "r1" from this JSON is refused with "Invalid scheme ftp":
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {"url": "ftp://127.0.0.1/upload"}}]}
      """

  @sinks @should @needs-rule-json @id:sinks-rest-url-host-required
  Scenario: A rest action whose url has no host is refused
    An http URL without a host is refused.

    Given a server-mode stream "demo" on "/api/data"
    Then creating the rule "r1" from this JSON is refused with "host not found":
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {"url": "http:///upload"}}]}
      """

  @sinks @should @needs-rule-json @id:sinks-rest-method-unsupported
  Scenario: A rest action with a method other than GET, POST, PUT or DELETE is refused
    The method, in any case, is one of get, post, put and delete; any other, PATCH included, is refused, naming it.

    Given a server-mode stream "demo" on "/api/data"
    Then creating the rule "r1" from this JSON is refused with "Not supported HTTP method patch":
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {"url": "http://127.0.0.1/upload", "method": "patch"}}]}
      """

  @sinks @should @needs-rule-json @id:sinks-rest-body-type-invalid
  Scenario: A rest action with an unknown bodyType is refused
    The bodyType is one of none, text, json, html, xml, javascript, form, binary and formdata; another is refused, naming it.

    Given a server-mode stream "demo" on "/api/data"
    Then creating the rule "r1" from this JSON is refused with "Invalid body type value yaml":
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {"url": "http://127.0.0.1/upload", "bodyType": "yaml"}}]}
      """

  @sinks @should @needs-rule-json @id:sinks-rest-timeout-negative
  Scenario: A rest action with a negative timeout is refused
    The timeout, in milliseconds, is 0 or more.

    Given a server-mode stream "demo" on "/api/data"
    Then creating the rule "r1" from this JSON is refused with "timeout must be greater than or equal to 0":
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {"url": "http://127.0.0.1/upload", "timeout": -1}}]}
      """

  @sinks @should @needs-rule-json @id:sinks-rest-timeout-zero-accepted
  Scenario: A rest action with a timeout of 0 is accepted
    0 is the smallest timeout a rest action takes: the rule is made and runs.

    Given a server-mode stream "demo" on "/api/data"
    When the rule "r1" is created from:
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {"url": "${nowhere-url}", "timeout": 0}}]}
      """
    Then the rule "r1" status becomes "running"

  @sinks @should @needs-rule-json @id:sinks-rest-response-type-invalid
  Scenario: A rest action with an unknown responseType is refused
    The responseType, which tells how a response means success, is code or body; another is refused, naming it.

    Given a server-mode stream "demo" on "/api/data"
    Then creating the rule "r1" from this JSON is refused with "Invalid response type value header":
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {"url": "http://127.0.0.1/upload", "responseType": "header"}}]}
      """

  @sinks @should @needs-rule-json @id:sinks-rest-properties-accepted
  Scenario: A rest action with every common property set is accepted
    url, method in lower case, bodyType, timeout, headers, sendSingle and responseType, each valid, make a rule that runs.

    Given a server-mode stream "demo" on "/api/data"
    When the rule "r1" is created from:
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {
        "url": "${nowhere-url}", "method": "put", "bodyType": "json", "timeout": 1500,
        "headers": {"X-Source": "wsconform"}, "sendSingle": true, "responseType": "code"}}]}
      """
    Then the rule "r1" status becomes "running"

  @sinks @should @needs-rule-json @id:sinks-log-and-nop-accepted
  Scenario: log and nop actions are accepted and take every record
    A rule may send its records to the engine's log or discard them; either sink counts every record in and out.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" is created from:
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"log": {}}, {"nop": {}}]}
      """
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    And client "c1" sends '{"n": 2}'
    Then the rule "r1" metrics become:
      | metric                        | value |
      | sink_log_*_records_in_total   | 2     |
      | sink_log_*_records_out_total  | 2     |
      | sink_nop_*_records_in_total   | 2     |
      | sink_nop_*_records_out_total  | 2     |
    And the rule "r1" status becomes "running"

  @sinks @should @needs-rule-json @id:sinks-every-action-gets-every-record
  Scenario: Every action of a rule gets every record
    A rule with several actions hands each record to each of them, in order; the rule's status counts each sink apart.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" is created from:
      """
      {"id": "r1", "sql": "SELECT n FROM demo", "actions": [{"log": {}}, {"collect": {}}, {"nop": {}}]}
      """
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1, "x": "a"}'
    And client "c1" sends '{"n": 2, "x": "b"}'
    And client "c1" sends '{"n": 3, "x": "c"}'
    Then the rule "r1" outputs:
      """
      [{"n": 1}, {"n": 2}, {"n": 3}]
      """
    And the rule "r1" metrics become:
      | metric                        | value |
      | sink_log_*_records_out_total  | 3     |
      | sink_rest_*_records_out_total | 3     |
      | sink_nop_*_records_out_total  | 3     |

  @sinks @should @needs-rule-json @id:sinks-unreachable-rest-sink-spares-other-rules
  Scenario: A rest sink whose URL cannot be reached records a sink exception and holds back no other rule
    A record the rest sink cannot post (the connection is refused) is counted as a sink exception with the error in the rule's status; the rule keeps running, and another rule of the stream gets every record.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "bad" is created from:
      """
      {"id": "bad", "sql": "SELECT * FROM demo", "actions": [{"rest": {"url": "${nowhere-url}", "timeout": 1000}}]}
      """
    And the rule "good" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    And client "c1" sends '{"n": 2}'
    Then the rule "good" outputs:
      """
      [{"n": 1}, {"n": 2}]
      """
    And the rule "bad" reports a sink exception mentioning "connection refused"
    And the rule "bad" keeps running

  @sinks @should @needs-rule-json @needs-rule-list @id:sinks-rule-list-shows-status
  Scenario: The rule list shows every rule with its state
    The rule list names each rule with its state: running, or stopped for a rule created with "triggered" false or stopped on request; a deleted rule leaves the list.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" is created from:
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"nop": {}}]}
      """
    And the rule "r2" is created from:
      """
      {"id": "r2", "sql": "SELECT * FROM demo", "actions": [{"nop": {}}], "triggered": false}
      """
    And the rule "r3" runs "SELECT * FROM demo"
    Then the rule list shows:
      | rule | status  |
      | r1   | running |
      | r2   | stopped |
      | r3   | running |
    When I stop the rule "r3"
    And I delete the rule "r1"
    Then the rule list shows:
      | rule | status  |
      | r2   | stopped |
      | r3   | stopped |
    And the rule list does not show "r1"

  @sinks @should @needs-rule-json @needs-private-net-refusal @id:sinks-private-net-refused
  Scenario Outline: With basic.enablePrivateNet false a rest sink refuses <kind> addresses
    By default (basic.enablePrivateNet false) a rest sink does not connect to a loopback, private, link-local, unspecified or multicast address: each record is a sink exception naming the address as in an internal network, and the rule keeps running.

    Given the engine runs with basic.enablePrivateNet false
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" is created from:
      """
      {"id": "r1", "sql": "SELECT * FROM demo", "actions": [{"rest": {"url": "http://<ip>:9/sink", "timeout": 1000}}]}
      """
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    Then the rule "r1" reports a sink exception mentioning "ip <ip> is in internal network"
    And the rule "r1" keeps running

    Examples:
      | kind        | ip          |
      | loopback    | 127.0.0.1   |
      | private     | 10.1.2.3    |
      | link-local  | 169.254.1.1 |
      | unspecified | 0.0.0.0     |
      | multicast   | 224.0.0.1   |
