Feature: Streams and rules
  A WebSocket stream is made with `CREATE STREAM name (fields) WITH (options)`:
  the options are DATASOURCE (the path), FORMAT (`json`, the default), TYPE
  (`websocket`), CONF_KEY (the confKey, `default` when absent) and SHARED.
  Keywords and option names are not case sensitive; `name ()` makes a schemaless
  stream. A rule reads a stream with `SELECT * FROM name` or `SELECT a, b FROM name`,
  maybe with a WHERE condition.

  @stream-ddl @must @id:ddl-documented-forms
  Scenario Outline: A stream can be created in every documented form
    Schemaless and typed streams, in upper or lower case, with or without FORMAT, all read the endpoint.

    Given a stream created with:
      """
      <statement>
      """
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"id": 1}'
    Then the rule "r1" outputs {"id": 1}

    Examples:
      | statement                                                                                      |
      | CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")           |
      | create stream demo () with (datasource="/api/data", format="json", type="websocket")           |
      | CREATE STREAM demo () WITH (DATASOURCE="/api/data", TYPE="websocket")                          |
      | CREATE STREAM demo (id BIGINT) WITH (DATASOURCE="/api/data", FORMAT="JSON", TYPE="websocket")  |
      | CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket", SHARED="true") |
      | CREATE STREAM demo (id bigint, t Float, s string, b Boolean) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket") |

  @stream-ddl @should @id:ddl-observed-forms
  Scenario Outline: A statement may end with a semicolon, and SHARED takes TRUE or FALSE in any case
    eKuiper accepts a trailing `;` and SHARED="true", "TRUE", "True" or "false".

    Given a stream created with:
      """
      <statement>
      """
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"id": 1}'
    Then the rule "r1" outputs {"id": 1}

    Examples:
      | statement                                                                                            |
      | CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket");                |
      | CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket") ;               |
      | CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket", SHARED="TRUE")  |
      | CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket", SHARED="True")  |
      | CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket", SHARED="false") |

  @stream-ddl @should @id:ddl-shared-true-or-false
  Scenario Outline: SHARED takes nothing but TRUE or FALSE
    Any other value, "1" and "yes" included, is refused with "expect TRUE/FALSE value in SHARED option".

    Then creating this stream fails with "expect TRUE/FALSE value in SHARED option":
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket", SHARED="<value>")
      """

    Examples:
      | value |
      | yes   |
      | 1     |
      |       |

  @stream-ddl @should @id:ddl-string-escapes
  Scenario Outline: Option values take Go's string escapes
    eKuiper reads a double-quoted value as a Go string literal: \u0061 and \x61 are "a".

    Given a stream created with:
      """
      <statement>
      """
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"id": 1}'
    Then the rule "r1" outputs {"id": 1}

    Examples:
      | statement                                                                                  |
      | CREATE STREAM demo () WITH (DATASOURCE="/api/d\u0061ta", FORMAT="json", TYPE="websocket")  |
      | CREATE STREAM demo () WITH (DATASOURCE="/api/d\x61ta", FORMAT="json", TYPE="websocket")    |
      | CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="\u006Ason", TYPE="websocket")  |

  @stream-ddl @should @id:ddl-invalid-string-escape
  Scenario: An escape Go does not know is refused
    `\/` is valid in JSON but not in a Go string literal: the statement is refused with "invalid string".

    Then creating this stream fails with "invalid string":
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api\/data", FORMAT="json", TYPE="websocket")
      """

  @stream-ddl @should @id:ddl-trailing-text
  Scenario: Text after the statement is refused
    Anything but a semicolon after the WITH options is refused with "semicolon or EOF".

    Then creating this stream fails with "semicolon or EOF":
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket") extra
      """

  @stream-ddl @must @id:ddl-every-field-type
  Scenario: A typed stream accepts every field type
    BIGINT, FLOAT, STRING, DATETIME, BOOLEAN, BYTEA, ARRAY(type) and STRUCT(fields) are all valid field types (STRUCT output is the json feature's).

    Given a stream created with:
      """
      CREATE STREAM demo (i BIGINT, f FLOAT, s STRING, d DATETIME, b BOOLEAN, y BYTEA, a ARRAY(BIGINT), t STRUCT(k STRING))
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT i, f, s, d, b, y, a FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"i": 1, "f": 2.5, "s": "x", "d": "2026-01-02T03:04:05Z", "b": true, "y": "aGk=", "a": [1], "t": {"k": "v"}}'
    Then the rule "r1" outputs {"i": 1, "f": 2.5, "s": "x", "d": "2026-01-02T03:04:05Z", "b": true, "y": "aGk=", "a": [1]}

  @stream-ddl @must @id:ddl-select-fields
  Scenario: A rule can select some fields
    `SELECT a, b FROM s` outputs records with only those fields.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT id, room FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"id": 1, "room": "hall", "temperature": 19}'
    Then the rule "r1" outputs {"id": 1, "room": "hall"}

  @stream-ddl @should @id:ddl-select-unknown-function
  Scenario: A rule calling an unknown function is refused
    eKuiper refuses the rule with "function nosuchfunc not found".

    Given a server-mode stream "demo" on "/api/data"
    Then the rule "r1" running "SELECT nosuchfunc(id) FROM demo" is refused with "function nosuchfunc not found"

  @stream-ddl @extension @id:ddl-select-unsupported-refused
  Scenario Outline: A rule with SQL the engine does not run is refused, never run as SELECT *
    eKuiper runs all of these. An engine that runs only `SELECT *`, field lists and WHERE comparisons, as the reference does, refuses the rule with a message naming what it does not run, rather than ignore it.

    Given a server-mode stream "demo" on "/api/data"
    Then the rule "r1" running "<sql>" is refused with "<message>"

    Examples:
      | sql                              | message                  |
      | SELECT * FROM demo WHERE id + 1 > 2 | + is not supported in WHERE |
      | SELECT * FROM demo ORDER BY id   | ORDER BY is not supported |
      | SELECT * FROM demo GROUP BY id   | GROUP BY is not supported |
      | SELECT * FROM demo LIMIT 1       | LIMIT is not supported   |
      | SELECT upper(name) FROM demo     | function upper not found |
      | SELECT id AS x FROM demo         | AS is not supported      |

  @stream-ddl @should @id:ddl-datasource-needs-slash
  Scenario Outline: A DATASOURCE must start with a slash
    The stream is accepted, but a rule on it is refused with "websocket endpoint should start with /".

    Given a stream created with:
      """
      <statement>
      """
    Then the rule "r1" running "SELECT * FROM demo" is refused with "websocket endpoint should start with /"

    Examples:
      | statement                                                                         |
      | CREATE STREAM demo () WITH (DATASOURCE="api/data", FORMAT="json", TYPE="websocket") |
      | CREATE STREAM demo () WITH (FORMAT="json", TYPE="websocket")                      |

  @stream-ddl @should @id:ddl-syntax-error-message
  Scenario: A syntax error says what was expected
    A field without a type is refused with an error that lists the valid field types.

    Then creating this stream fails with "expect valid stream field types":
      """
      CREATE STREAM demo (id
      """

  @stream-ddl @must @id:ddl-unknown-field-type
  Scenario: An unknown field type is refused
    Only the eight documented field types are accepted.

    Then creating this stream fails:
      """
      CREATE STREAM demo (id INTEGER) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """

  @stream-ddl @should @id:ddl-malformed-statement-refused
  Scenario Outline: A malformed CREATE STREAM is refused with what was found and what was expected
    A statement that stops making sense is refused with an error quoting the word found there and what would have been accepted: <case>.

    Then creating this stream fails with '<message>':
      """
      <statement>
      """

    Examples:
      | case                           | statement                                                                                  | message                        |
      | no STREAM keyword              | CREATE demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")              | keyword stream                 |
      | no stream name                 | CREATE STREAM () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")            | found "(", expect              |
      | no field list                  | CREATE STREAM demo WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")          | lparen after stream name       |
      | no WITH                        | CREATE STREAM demo ()                                                                      | found "EOF", expect            |
      | WITH without parentheses       | CREATE STREAM demo () WITH DATASOURCE="/api/data"                                          | found "DATASOURCE", expect stream options |
      | an option without =            | CREATE STREAM demo () WITH (DATASOURCE "/api/data", FORMAT="json", TYPE="websocket")       | expect equals(=) in options    |
      | an unquoted option value       | CREATE STREAM demo () WITH (DATASOURCE=/api/data, FORMAT="json", TYPE="websocket")         | found "/", expect string       |
      | a field list never closed      | CREATE STREAM demo (id BIGINT WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket") | found "WITH"                 |
      | an unknown ARRAY element type  | CREATE STREAM demo (a ARRAY(NOSUCH)) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket") | found "NOSUCH", expect |
      | an unknown STRUCT field type   | CREATE STREAM demo (t STRUCT(k NOSUCH)) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket") | expect valid stream field types |
      | an unknown option key          | CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket", nosuch="x") | unknown option keys |

  @stream-ddl @should @id:ddl-not-a-create-statement
  Scenario: A statement that is not CREATE STREAM is refused
    A stream is made only by CREATE STREAM: a statement starting with another word creates nothing.

    Then creating this stream fails:
      """
      STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """

  @stream-ddl @should @id:ddl-other-options-accepted
  Scenario: Options the WebSocket source does not use are accepted
    KEY, TIMESTAMP and STRICT_VALIDATION, options of eKuiper streams, may be given: the stream reads its endpoint as without them.

    Given a stream created with:
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket", KEY="id", TIMESTAMP="ts", STRICT_VALIDATION="false")
      """
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"id": 1, "ts": 1700000000000}'
    Then the rule "r1" outputs {"id": 1, "ts": 1700000000000}

  @stream-ddl @should @id:ddl-backquoted-field-type
  Scenario: A backquoted field type is read as the type
    Backquotes may enclose a field type as they enclose a name: `id` declared `BIGINT` in backquotes is a BIGINT field.

    Given a stream created with:
      """
      CREATE STREAM demo (id `BIGINT`) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"id": 1, "other": 2}'
    Then the rule "r1" outputs {"id": 1}

  @stream-ddl @should @id:ddl-invalid-string-escape-named
  Scenario: A refused escape is quoted in the error as written
    The error for a value with an escape Go does not know quotes the whole string as written, quotes included: "invalid string: \"js\\/on\"".

    Then creating this stream fails with 'found "invalid string: \"js\\/on\"", expect':
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="js\/on", TYPE="websocket")
      """

  @stream-ddl @should @id:ddl-bare-boolean-option
  Scenario Outline: An option may take TRUE or FALSE without quotes
    SHARED=<value>, unquoted, is read as SHARED="<value>".

    Given a stream created with:
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket", SHARED=<value>)
      """
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"id": 1}'
    Then the rule "r1" outputs {"id": 1}

    Examples:
      | value |
      | TRUE  |
      | false |

  @stream-ddl @should @id:ddl-single-quoted-option-refused
  Scenario: An option value in single quotes is refused
    Option values are double-quoted strings: FORMAT='json' is refused with an error quoting json.

    Then creating this stream fails with 'found "json", expect string':
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT='json', TYPE="websocket")
      """

  @stream-ddl @should @id:rules-where-number-trailing-dot
  Scenario: A WHERE number may end in its decimal point
    `2.` is the number 2: `WHERE n < 2.` keeps the records whose n is 1 and -3.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT s FROM demo WHERE n < 2."
    And a client "c1" connected to "/api/data"
    When client "c1" sends '[{"n": 1, "s": "a"}, {"n": 2.5, "s": "b"}, {"n": -3, "s": "c"}]'
    Then the rule "r1" outputs [{"s": "a"}, {"s": "c"}]
    And the rule "r1" outputs nothing more

  @stream-ddl @should @id:ddl-duplicate-stream-name
  Scenario: A stream name can be used once
    Creating a stream whose name exists is refused with "already exists".

    Given a server-mode stream "demo" on "/api/data"
    Then creating this stream fails with "already exists":
      """
      CREATE STREAM demo () WITH (DATASOURCE="/other", FORMAT="json", TYPE="websocket")
      """

  @stream-ddl @must @id:ddl-dropped-stream
  Scenario: A dropped stream cannot be read
    After a stream is dropped, a rule on it is refused.

    Given a server-mode stream "demo" on "/api/data"
    When the stream "demo" is dropped
    Then the rule "r1" running "SELECT * FROM demo" is refused

  @stream-ddl @must @id:ddl-missing-stream
  Scenario: A rule on a stream that does not exist is refused
    A rule must read an existing stream.

    Then the rule "r1" running "SELECT * FROM nosuchstream" is refused

  @stream-ddl @should @id:rules-own-projections
  Scenario: Two rules on one stream each output only the fields they select
    Rules sharing a stream's source never see each other's projection: `SELECT a` outputs only a, `SELECT b` only b.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT a FROM demo"
    And the rule "r2" runs "SELECT b FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"a": 1, "b": 2, "c": 3}'
    And client "c1" sends '{"a": 4, "b": 5, "c": 6}'
    Then the rule "r1" outputs [{"a": 1}, {"a": 4}]
    And the rule "r2" outputs [{"b": 2}, {"b": 5}]
    And the rule "r1" outputs nothing more
    And the rule "r2" outputs nothing more

  @stream-ddl @should @id:rules-restart-server-mode
  Scenario: A restarted server-mode rule serves its endpoint again
    `POST /rules/{id}/restart` stops the rule and starts it again: the rule runs and a new client's messages reach it.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    And client "c1" sends '{"n": 1}'
    And the rule "r1" outputs {"n": 1}
    When I restart the rule "r1"
    Then the rule "r1" status becomes "running"
    When a client "c2" connected to "/api/data"
    And client "c2" sends '{"n": 2}'
    Then the rule "r1" outputs {"n": 2}
    And the rule "r1" outputs nothing more

  @stream-ddl @should @id:rules-restart-client-mode
  Scenario: A restarted client-mode rule dials the remote server again
    A restart closes the rule's connection and opens a new one, which feeds the rule.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    And the remote server receives a connection for "/api/data"
    When I restart the rule "r1"
    Then the remote server sees the connection closed
    And the remote server receives a connection for "/api/data"
    When the remote server sends '{"after": "restart"}'
    Then the rule "r1" outputs {"after": "restart"}
    And the rule "r1" status becomes "running"

  @stream-ddl @should @id:rules-duplicate-id-refused
  Scenario: A second rule with an existing id is refused and the first one is kept
    Creating a rule whose id exists fails with "already exists"; the rule that had the id keeps running as it was defined.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT a FROM demo"
    Then the rule "r1" running "SELECT b FROM demo" is refused with "already exists"
    When a client "c1" connected to "/api/data"
    And client "c1" sends '{"a": 1, "b": 2}'
    Then the rule "r1" outputs {"a": 1}
    And the rule "r1" outputs nothing more

  @stream-ddl @extension @id:rules-start-running-rule-left-alone
  Scenario: Starting a running rule leaves it running once, with its clients
    `POST /rules/{id}/start` on a running rule changes nothing: its clients stay connected and each message still gives one record (eKuiper restarts the rule and drops the clients).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    And client "c1" sends '{"n": 1}'
    And the rule "r1" outputs {"n": 1}
    When I start the rule "r1"
    And client "c1" sends '{"n": 2}'
    And client "c1" sends '{"n": 3}'
    Then the rule "r1" outputs [{"n": 2}, {"n": 3}]
    And the rule "r1" outputs nothing more

  @stream-ddl @should @id:rules-stream-in-use-not-dropped
  Scenario: A stream read by a running rule cannot be dropped
    eKuiper refuses to drop it with "referenced by other rules"; the rule keeps reading the stream.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    Then dropping the stream "demo" is refused with "referenced by other rules"
    When a client "c1" connected to "/api/data"
    And client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}

  @stream-ddl @should @id:rules-stream-dropped-after-stop
  Scenario: A stream whose rules are stopped can be dropped
    Once the rule reading it is stopped, the stream is dropped, and a new rule on it is refused.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    When I stop the rule "r1"
    And the stream "demo" is dropped
    Then the rule "r2" running "SELECT * FROM demo" is refused

  @stream-ddl @should @id:rules-decode-errors-on-decoder
  Scenario: Decode errors are counted on the decoder, not on the source
    A message that is not a JSON object or array of objects counts on `op_*_decoder_*_exceptions_total`; the source's exceptions stay 0.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends 'not json'
    And client "c1" sends '42'
    And client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
    And the rule "r1" counts 2 decode errors
    And the rule "r1" counts no source exception

  @stream-ddl @should @id:rules-connection-status-down-is-minus-one
  Scenario: A connection that is down reads -1
    After a dial to an address where nothing listens, the source's `connection_status` is -1 (1 is up).

    Given the confKey "remote" points at an address where nothing listens
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the rule "r1" status becomes "stopped by error"
    And the rule "r1" shows the connection status -1

  @stream-ddl @should @id:rules-connection-status-up-is-one
  Scenario: A connection that is up reads 1
    Once the remote server has the connection, the source's `connection_status` is 1.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"
    And the rule "r1" shows the connection status 1

  @stream-ddl @should @id:rules-client-drop-exception-on-every-rule
  Scenario: Every rule on a server-mode stream records a client's abnormal drop
    A client that drops without a close frame is an exception of the source, counted on each rule reading the stream.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And the rule "r2" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    And client "c1" sends '{"n": 1}'
    And the rule "r1" outputs {"n": 1}
    And the rule "r2" outputs {"n": 1}
    When client "c1" drops the connection without a close frame
    Then the rule "r1" reports an exception
    And the rule "r2" reports an exception

  @stream-ddl @should @id:rules-remote-drop-exception-on-every-rule
  Scenario: Every rule on a client-mode stream records the remote's drop
    A remote server that drops the shared connection is an exception counted on each rule reading the stream.

    Given a remote WebSocket server
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    And the rule "r2" runs "SELECT * FROM demo"
    And the remote server sends '{"n": 1}'
    And the rule "r1" outputs {"n": 1}
    And the rule "r2" outputs {"n": 1}
    When the remote server drops the connection
    Then the rule "r1" reports an exception
    And the rule "r2" reports an exception

  @stream-ddl @extension @id:rules-client-normal-close-no-exception
  Scenario: A client's normal close is not an exception
    A server-mode client that closes with code 1000 leaves every exception count at 0 (eKuiper records "websocket: close 1000 (normal)" as an exception of the source).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    And client "c1" sends '{"n": 1}'
    And the rule "r1" outputs {"n": 1}
    When client "c1" closes the connection normally
    And a client "c2" connected to "/api/data"
    And client "c2" sends '{"n": 2}'
    Then the rule "r1" outputs {"n": 2}
    And the rule "r1" reports no exception

  @stream-ddl @should @id:rules-metrics-count-messages-and-records
  Scenario: The status counts messages on the source and the decoder, and records on the sink
    Four messages, one object, an array of two, an empty array and one that is not JSON, count 4 in and out of the source, 4 into the decoder and 3 records out of it, one decode error with its time, and 3 records through the sink; a server-mode source, which never dials, has no reconnection counters.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    And client "c1" sends '[{"n": 2}, {"n": 3}]'
    And client "c1" sends '[]'
    And client "c1" sends 'not json'
    Then the rule "r1" outputs [{"n": 1}, {"n": 2}, {"n": 3}]
    And the rule "r1" metrics stay:
      | metric                                | value  |
      | source_*_records_in_total             | 4      |
      | source_*_records_out_total            | 4      |
      | source_*_exceptions_total             | 0      |
      | source_*_last_exception               | empty  |
      | source_*_last_exception_time          | 0      |
      | op_*_decoder_*_records_in_total       | 4      |
      | op_*_decoder_*_records_out_total      | 3      |
      | op_*_decoder_*_exceptions_total       | 1      |
      | op_*_decoder_*_last_exception_time    | a time |
      | sink_*_records_in_total               | 3      |
      | sink_*_records_out_total              | 3      |
      | sink_*_exceptions_total               | 0      |
      | sink_*_last_exception                 | empty  |
      | source_*_reconnect_attempts_total     | absent |
      | source_*_reconnects_total             | absent |

  @stream-ddl @should @id:rules-source-exception-counted-once
  Scenario: A client's abnormal drop is one source exception, with its text and time
    The drop counts 1 on `source_*_exceptions_total`, its text (close 1006) is the source's last exception, with a time; the decoder and the sink count none.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    And client "c1" sends '{"n": 1}'
    And the rule "r1" outputs {"n": 1}
    When client "c1" drops the connection without a close frame
    Then the rule "r1" metrics stay:
      | metric                                | value          |
      | source_*_exceptions_total             | 1              |
      | source_*_last_exception               | mentions "1006" |
      | source_*_last_exception_time          | a time         |
      | op_*_decoder_*_exceptions_total       | 0              |
      | sink_*_exceptions_total               | 0              |

  @stream-ddl @should @id:rules-nop-sink-counts-records
  Scenario: A rule into the nop sink counts every record it discards
    A rule whose action is `{"nop": {}}` outputs nothing, and its `sink_nop_*` metrics count each record in and out.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo" into a nop sink
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    And client "c1" sends '[{"n": 2}, {"n": 3}]'
    Then the rule "r1" metrics stay:
      | metric                       | value |
      | sink_nop_*_records_in_total  | 3     |
      | sink_nop_*_records_out_total | 3     |
      | sink_nop_*_exceptions_total  | 0     |

  @stream-ddl @should @id:rules-stopped-status-message
  Scenario: A stopped rule's status says it was canceled manually
    After `POST /rules/{id}/stop` the status is "stopped" and its message is "canceled manually".

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    When I stop the rule "r1"
    Then the rule "r1" status becomes "stopped"
    And the rule "r1" status message mentions "canceled manually"

  @stream-ddl @should @id:rules-stopped-by-error-source-exception
  Scenario: A refused dial is one source exception of the rule it stops
    A client-mode rule whose dial is refused is "stopped by error": its source counts 1 exception, whose text says the connection was refused, and shows the connection down.

    Given the confKey "remote" points at an address where nothing listens
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the rule "r1" status becomes "stopped by error"
    And the rule "r1" metrics stay:
      | metric                       | value                       |
      | source_*_exceptions_total    | 1                           |
      | source_*_last_exception      | mentions "connection refused" |
      | source_*_last_exception_time | a time                      |
      | source_*_connection_status   | -1                          |
      | source_*_records_in_total    | 0                           |

  @stream-ddl @extension @id:rules-shared-path-field-types-compared
  Scenario Outline: Streams sharing a path must agree on each field's type, element type and members
    While a rule reads a typed stream on a path, a rule on another stream of that path whose fields differ only in <difference> is refused, and one whose fields are the same runs (eKuiper runs both).

    Given a stream created with:
      """
      CREATE STREAM first (n BIGINT, a ARRAY(BIGINT), t STRUCT(k BIGINT)) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And a stream created with:
      """
      CREATE STREAM second (<fields>) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And a stream created with:
      """
      CREATE STREAM third (n BIGINT, a ARRAY(BIGINT), t STRUCT(k BIGINT)) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT n FROM first"
    Then the rule "r2" running "SELECT n FROM second" is refused with "same fields"
    And the rule "r3" runs "SELECT n FROM third"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1, "a": [2], "t": {"k": 3}}'
    Then the rule "r1" outputs {"n": 1}
    And the rule "r3" outputs {"n": 1}

    Examples:
      | difference                | fields                                                 |
      | the type of a field       | n STRING, a ARRAY(BIGINT), t STRUCT(k BIGINT)          |
      | an array's element type   | n BIGINT, a ARRAY(STRING), t STRUCT(k BIGINT)          |
      | an array against a scalar | n BIGINT, a BIGINT, t STRUCT(k BIGINT)                 |
      | a member's type           | n BIGINT, a ARRAY(BIGINT), t STRUCT(k STRING)          |
      | a member's name           | n BIGINT, a ARRAY(BIGINT), t STRUCT(j BIGINT)          |

  @stream-ddl @should @id:rules-drop-other-stream-keeps-shared-endpoint
  Scenario: Dropping a stream no rule reads leaves the endpoints of running rules alone
    While a rule reads a stream on a path, dropping another stream and then starting a rule on a second stream of that path still shares the endpoint: a client's message reaches both rules.

    Given a server-mode stream "first" on "/api/data"
    And a server-mode stream "second" on "/api/data"
    And a server-mode stream "other" on "/other"
    And the rule "r1" runs "SELECT * FROM first"
    When the stream "other" is dropped
    And the rule "r2" runs "SELECT * FROM second"
    And a client "c1" connected to "/api/data"
    And client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
    And the rule "r2" outputs {"n": 1}
    And the rule "r2" status becomes "running"

  @stream-ddl @should @id:names-stream-name-router-rewrites-refused
  Scenario Outline: A stream name the REST router would rewrite is refused
    A stream name is letters, digits, hyphens and underscores: a name such as "..", "." or "a/b" could not be reached or dropped over the REST API afterwards, so creating it fails with an error quoting it.

    Then creating this stream fails with "id '<name>' contains invalid characters":
      """
      CREATE STREAM `<name>` () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """

    Examples:
      | name |
      | ..   |
      | .    |
      | a/b  |

  @stream-ddl @should @id:names-rule-id-router-rewrites-refused
  Scenario Outline: A rule id the REST router would rewrite is refused
    A rule id is letters, digits, hyphens and underscores: a rule "..", "." or "a/b" could not be reached or deleted over the REST API, and would keep its stream from being dropped, so creating it fails.

    Given a server-mode stream "demo" on "/api/data"
    Then the rule "<id>" running "SELECT * FROM demo" is refused with "contains invalid characters"
    And the stream "demo" is dropped

    Examples:
      | id  |
      | ..  |
      | .   |
      | a/b |

  @stream-ddl @should @id:ddl-unterminated-string
  Scenario: A string that is never closed is refused
    A statement that ends inside a quoted option value is a syntax error.

    Then creating this stream fails:
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data
      """

  @stream-ddl @should @id:rules-where-filters-records
  Scenario: A rule with WHERE outputs only the records that meet its condition
    `WHERE n > 1 AND n <= 3 AND ok = true` keeps the records whose n is 2 or 3 and whose ok is true, in order; a record without n is not output.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT n FROM demo WHERE n > 1 AND n <= 3 AND ok = true"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '[{"n": 1, "ok": true}, {"n": 2, "ok": true}, {"n": 3, "ok": false}, {"ok": true}]'
    And client "c1" sends '{"n": 3, "ok": true}'
    And client "c1" sends '{"n": 4, "ok": true}'
    Then the rule "r1" outputs [{"n": 2}, {"n": 3}]
    And the rule "r1" outputs nothing more

  @stream-ddl @should @id:rules-where-or-parentheses
  Scenario: WHERE takes OR and parentheses
    `WHERE n = 1 OR (n >= 3 AND n != 4)` keeps the records whose n is 1, 3 or above 4.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo WHERE n = 1 OR (n >= 3 AND n != 4)"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '[{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}, {"n": 5}]'
    Then the rule "r1" outputs [{"n": 1}, {"n": 3}, {"n": 5}]
    And the rule "r1" outputs nothing more

  @stream-ddl @should @id:rules-where-comparisons
  Scenario Outline: WHERE compares numbers, strings and booleans
    `WHERE <condition>` keeps, of the records a, b, c and d below, <kept>; a record without the field compared is never kept.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT s FROM demo WHERE <condition>"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '[{"n": 1, "s": "a", "ok": true}, {"n": 2.5, "s": "b", "ok": false}, {"n": -3, "s": "c", "ok": true}, {"s": "d"}]'
    Then the rule "r1" outputs <records>
    And the rule "r1" outputs nothing more

    Examples:
      | condition               | kept       | records                        |
      | n > 1                   | b          | [{"s": "b"}]                   |
      | n >= 1                  | a and b    | [{"s": "a"}, {"s": "b"}]       |
      | n < 1                   | c          | [{"s": "c"}]                   |
      | n <= 1                  | a and c    | [{"s": "a"}, {"s": "c"}]       |
      | n = -3                  | c          | [{"s": "c"}]                   |
      | n != 1                  | b and c    | [{"s": "b"}, {"s": "c"}]       |
      | n > -3 AND n < 2.5      | a          | [{"s": "a"}]                   |
      | s = 'b'                 | b          | [{"s": "b"}]                   |
      | s < 'b'                 | a          | [{"s": "a"}]                   |
      | s >= 'c'                | c and d    | [{"s": "c"}, {"s": "d"}]       |
      | ok = true               | a and c    | [{"s": "a"}, {"s": "c"}]       |
      | ok = false OR n = 1     | a and b    | [{"s": "a"}, {"s": "b"}]       |
      | ok != true              | b          | [{"s": "b"}]                   |
      | n > 0                   | a and b    | [{"s": "a"}, {"s": "b"}]       |
      | n < 0.5 OR n >= 2.5     | b and c    | [{"s": "b"}, {"s": "c"}]       |
      | n < 9                   | a, b and c | [{"s": "a"}, {"s": "b"}, {"s": "c"}] |
      | n > 2.05                | b          | [{"s": "b"}]                   |

  @stream-ddl @should @id:rules-sql-error-says-what-was-found
  Scenario Outline: A rule whose SQL stops short is refused with what was found
    A rule with `<sql>` is refused with an error naming what was found where the statement stops making sense: the end of the text, "EOF".

    Given a server-mode stream "demo" on "/api/data"
    Then the rule "r1" running "<sql>" is refused with 'found "EOF", expect'

    Examples:
      | sql                                |
      | SELECT id                          |
      | SELECT * FROM demo WHERE n =       |
      | SELECT * FROM demo WHERE n = 1 AND |
      | SELECT * FROM demo WHERE (n = 1    |

  @stream-ddl @extension @id:rules-select-without-stream-named
  Scenario: A SELECT that names no stream is refused with "stream name"
    `SELECT * FROM` is refused with an error saying a stream name was expected after FROM (eKuiper looks up a stream named "" and answers that it is not found).

    Given a server-mode stream "demo" on "/api/data"
    Then the rule "r1" running "SELECT * FROM" is refused with 'found "EOF", expect stream name'

  @stream-ddl @should @id:rules-not-a-select-refused
  Scenario: A rule whose SQL is not a SELECT is refused
    A rule runs a SELECT statement: `SELEC * FROM demo` is refused with an error saying a select statement was wanted.

    Given a server-mode stream "demo" on "/api/data"
    Then the rule "r1" running "SELEC * FROM demo" is refused with "select statement"

  @stream-ddl @extension @id:rules-sql-error-position
  Scenario: A rule's SQL error says where the statement stops making sense
    The error counts the position of what was found in bytes from 1: in `SELECT id, FROM demo` the FROM at position 12 is no field name (eKuiper gives no position).

    Given a server-mode stream "demo" on "/api/data"
    Then the rule "r1" running "SELECT id, FROM demo" is refused with "at position 12"

  @stream-ddl @extension @id:rules-where-angle-not-equal-named
  Scenario: A WHERE with <> is refused with an error naming <>
    `!=` is the inequality of a WHERE; `n <> 1` is refused with "<> is not supported", naming the operator as written (eKuiper reads < and > apart and names only the >).

    Given a server-mode stream "demo" on "/api/data"
    Then the rule "r1" running "SELECT * FROM demo WHERE n <> 1" is refused with "<> is not supported"

  @stream-ddl @should @id:rules-where-single-quoted-escapes
  Scenario Outline: A single-quoted WHERE string takes \' and Go's escapes
    In a single-quoted string, \' is a quote and the escapes of a Go string (\u0027 ...) are read: `s = <literal>` keeps the record whose s is it's.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT n FROM demo WHERE s = <literal>"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '[{"n": 1, "s": "it\u0027s"}, {"n": 2, "s": "its"}, {"n": 3, "s": "it\\u0027s"}]'
    Then the rule "r1" outputs {"n": 1}
    And the rule "r1" outputs nothing more

    Examples:
      | literal     |
      | 'it\'s'     |
      | 'it\u0027s' |

  @stream-ddl @should @id:rules-where-double-quote-in-single-quotes
  Scenario: A single-quoted WHERE string may hold double quotes
    Inside single quotes a double quote is an ordinary character: `s = 'say "hi"'` keeps the record whose s is say "hi".

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs:
      """
      SELECT n FROM demo WHERE s = 'say "hi"'
      """
    And a client "c1" connected to "/api/data"
    When client "c1" sends '[{"n": 1, "s": "say \"hi\""}, {"n": 2, "s": "say hi"}]'
    Then the rule "r1" outputs {"n": 1}
    And the rule "r1" outputs nothing more

  @stream-ddl @should @id:ddl-backquoted-names
  Scenario: A backquoted field name is read as written
    Backquotes enclose a field name, which may then be a keyword: the fields room and select, both backquoted, are selected.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT `room`, `select` FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"room": "hall", "select": 1, "other": 2}'
    Then the rule "r1" outputs {"room": "hall", "select": 1}

  @stream-ddl @should @id:rules-where-large-integers
  Scenario: WHERE compares integers beyond the int64 range by value
    `WHERE n > 10000000000000000000` keeps a record whose n is 12345678901234567890 and drops one whose n is 1.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT s FROM demo WHERE n > 10000000000000000000"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '[{"n": 1, "s": "small"}, {"n": 12345678901234567890, "s": "large"}]'
    Then the rule "r1" outputs {"s": "large"}
    And the rule "r1" outputs nothing more

  @stream-ddl @extension @id:rules-where-integers-exact
  Scenario: WHERE compares integers exactly, beyond the 53 bits of a float
    `WHERE n = 9007199254740993` keeps the record whose n is 9007199254740993 and not the one whose n is 9007199254740992, which a comparison of floats cannot tell apart (eKuiper reads both as the same float).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT s FROM demo WHERE n = 9007199254740993"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '[{"n": 9007199254740992, "s": "below"}, {"n": 9007199254740993, "s": "exact"}]'
    Then the rule "r1" outputs {"s": "exact"}
    And the rule "r1" outputs nothing more

  @stream-ddl @should @id:rules-where-syntax-error-refused
  Scenario Outline: A WHERE that does not parse is refused
    A condition cut short or unbalanced, `WHERE <condition>`, keeps the rule from running: it never runs as if there were no WHERE.

    Given a server-mode stream "demo" on "/api/data"
    Then the rule "r1" running "SELECT * FROM demo WHERE <condition>" is refused

    Examples:
      | condition  |
      | n = 1 OR   |
      | n = 1 AND  |
      | (n = 1 OR  |
      | (n = 1     |
      | = 1        |
      | n =        |
      | n 1 = 1    |
      | # 1 = 1    |
      | n > 1e400  |
      | n > 1e     |
      | n >        |

  @stream-ddl @should @id:rules-where-unknown-field-refused
  Scenario Outline: A WHERE on a typed stream may name only its fields
    On a stream declaring only n and s, a rule with `WHERE <condition>` is refused: x is no field of the stream.

    Given a stream created with:
      """
      CREATE STREAM demo (n BIGINT, s STRING) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    Then the rule "r1" running "SELECT n FROM demo WHERE <condition>" is refused

    Examples:
      | condition          |
      | x > 1              |
      | n > 1 AND 2 < x    |
      | n > 1 OR s = x     |

  @stream-ddl @should @id:rules-where-typed-stream
  Scenario: A WHERE on a typed stream compares its converted fields
    On a stream declaring n BIGINT and s STRING, `WHERE n > 1 AND s = '5'` keeps the record whose n is 2 and whose s, sent as the number 5, became the string "5".

    Given a stream created with:
      """
      CREATE STREAM demo (n BIGINT, s STRING) WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT n FROM demo WHERE n > 1 AND s = '5'"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '[{"n": 1, "s": 5}, {"n": 2, "s": 5}, {"n": 3, "s": 6}]'
    Then the rule "r1" outputs {"n": 2}
    And the rule "r1" outputs nothing more

  @stream-ddl @should @id:ddl-string-ends-in-backslash
  Scenario: A statement that ends in a backslash inside a string is refused
    A quoted option value whose last character is an escaping backslash never closes: the statement is a syntax error.

    Then creating this stream fails:
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data\
      """

  @stream-ddl @should @id:ddl-unknown-source-type
  Scenario: A stream of a source type the engine does not know cannot run a rule
    A stream created with TYPE="nosuchtype" keeps its rules from running.

    Given a stream created with:
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="nosuchtype")
      """
    Then the rule "r1" running "SELECT * FROM demo" is refused

  @stream-ddl @should @id:ddl-quote-escape-in-double-quotes-refused
  Scenario: An escaped single quote is refused inside double quotes
    `\'` is no escape of a Go double-quoted string, so a double-quoted option value holding it is refused with "invalid string".

    Then creating this stream fails with "invalid string":
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/it\'s", FORMAT="json", TYPE="websocket")
      """

  @stream-ddl @should @id:ddl-unknown-format
  Scenario: A stream of a format the engine does not know is refused
    Creating a stream with FORMAT="nosuchformat" fails.

    Then creating this stream fails:
      """
      CREATE STREAM demo () WITH (DATASOURCE="/api/data", FORMAT="nosuchformat", TYPE="websocket")
      """
