Feature: JSON messages
  Each text message is decoded with the stream's FORMAT, `json` (the default):
  an object is one record, an array of objects is one record per element, and
  anything else is a decode error that the rule counts without closing the
  connection. Typed streams keep only the fields of their schema and convert
  values to the field types. The scenarios send a message, then the marker
  `{"end": true}`; the records before the marker are exactly the message's.

  @json @must @id:json-text-message-becomes-records
  Scenario Outline: A text message becomes records
    An object is one record, an array of objects is one record per element in order, and an empty array is none.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    And client "c1" sends '{"end": true}'
    Then the rule "r1" outputs <records>
    And the rule "r1" outputs {"end": true}

    Examples: objects and arrays
      | message                              | records                              |
      | {"a": 1, "b": "two"}                 | [{"a": 1, "b": "two"}]               |
      | [{"a": 1}, {"a": 2}, {"a": 3}]       | [{"a": 1}, {"a": 2}, {"a": 3}]       |
      | {}                                   | [{}]                                 |
      | []                                   | []                                   |
      | [{}, {"a": 1}]                       | [{}, {"a": 1}]                       |

    Examples: values inside a record
      | message                                       | records                                         |
      | {"o": {"x": [1, {"y": true}]}, "l": [[1], []]} | [{"o": {"x": [1, {"y": true}]}, "l": [[1], []]}] |
      | {"n": null, "b": false}                       | [{"n": null, "b": false}]                       |
      | {"s": "héllo wörld ✓ 日本語 🚀"}                | [{"s": "héllo wörld ✓ 日本語 🚀"}]                |
      | {"f": 0.1, "e": 1.5e3, "neg": -7}             | [{"f": 0.1, "e": 1500, "neg": -7}]              |
      | {"max": 9007199254740991}                     | [{"max": 9007199254740991}]                     |

  @json @must @id:json-non-object-decode-error
  Scenario Outline: A message that is not an object or an array of objects is a decode error
    The rule counts a decode error, outputs nothing for the message, and the connection stays open.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    And client "c1" sends '{"end": true}'
    Then the rule "r1" outputs {"end": true}
    And the rule "r1" reports an exception
    And the rule "r1" keeps running

    Examples:
      | message        |
      | 42             |
      | "text"         |
      | ["x", "y"]     |
      | not json       |
      | {"a": 1        |
      | true           |

  @json @must @id:json-decode-error-never-closes-connection
  Scenario: A decode error never closes the connection
    After a decode error the same connection keeps delivering records.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends 'not json'
    And client "c1" sends '{"n": 1}'
    And client "c1" sends 'still not json'
    And client "c1" sends '{"n": 2}'
    Then the rule "r1" outputs [{"n": 1}, {"n": 2}]

  @json @must @id:json-binary-messages-ignored
  Scenario: Binary messages are ignored
    A binary message yields no record and no error; only text messages carry data.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends the binary message '{"binary": true}'
    And client "c1" sends '{"end": true}'
    Then the rule "r1" outputs {"end": true}
    And the rule "r1" reports no exception

  @json @extension @id:json-large-integers-exact
  Scenario: Integers beyond 2^53 stay exact
    A schemaless stream keeps every digit of a large integer (eKuiper rounds it to a float).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"big": 12345678901234567890, "odd": 9007199254740993}'
    Then the rule "r1" outputs {"big": 12345678901234567890, "odd": 9007199254740993}

  @json @must @id:json-typed-keeps-schema-fields-only
  Scenario: A typed stream keeps only the fields of its schema
    Fields that the stream does not declare are dropped from the record.

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, name STRING, temp FLOAT, ok BOOLEAN)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"id": 7, "name": "probe", "temp": 20.5, "ok": true, "extra": "dropped", "more": {"x": 1}}'
    Then the rule "r1" outputs {"id": 7, "name": "probe", "temp": 20.5, "ok": true}

  @json @should @id:json-typed-converts-values
  Scenario Outline: A typed stream converts values the way eKuiper does
    Values are converted to the declared field type where eKuiper converts them.

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, name STRING, temp FLOAT, ok BOOLEAN)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    Then the rule "r1" outputs <record>

    Examples:
      | message                                               | record                                                  |
      | {"id": 1, "name": 5, "temp": 1.5, "ok": true}         | {"id": 1, "name": "5", "temp": 1.5, "ok": true}         |
      | {"id": 2, "name": "b", "temp": 2.5, "ok": "true"}     | {"id": 2, "name": "b", "temp": 2.5, "ok": true}         |
      | {"id": 3, "name": "c", "temp": 3, "ok": false}        | {"id": 3, "name": "c", "temp": 3, "ok": false}          |
      | {"id": 4, "name": null, "temp": 4.5, "ok": true}      | {"id": 4, "name": null, "temp": 4.5, "ok": true}        |

  @json @should @id:json-typed-refuses-unconvertible
  Scenario Outline: A typed stream refuses values it cannot convert
    A value that does not fit its field's type is a decode error; the connection stays open.

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, name STRING, temp FLOAT, ok BOOLEAN)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    And client "c1" sends '{"id": 9, "name": "end", "temp": 0, "ok": true}'
    Then the rule "r1" outputs {"id": 9, "name": "end", "temp": 0, "ok": true}
    And the rule "r1" reports an exception

    Examples:
      | message                                            |
      | {"id": "2", "name": "a", "temp": 1, "ok": true}    |
      | {"id": 3.7, "name": "a", "temp": 1, "ok": true}    |

  @json @should @id:json-typed-arrays-structs
  Scenario: A typed stream keeps arrays and structs
    ARRAY(type) fields keep their JSON arrays, ARRAY(STRUCT(fields)) their arrays of objects, and DATETIME its text.

    Given a stream created with:
      """
      CREATE STREAM typed (tags ARRAY(STRING), points ARRAY(STRUCT(x BIGINT, y BIGINT)), at DATETIME)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"tags": ["a", "b"], "points": [{"x": 1, "y": 2}, {"x": 3, "y": 4}], "at": "2026-01-02T03:04:05Z", "extra": 1}'
    Then the rule "r1" outputs {"tags": ["a", "b"], "points": [{"x": 1, "y": 2}, {"x": 3, "y": 4}], "at": "2026-01-02T03:04:05Z"}

  @json @extension @id:json-typed-struct-field-whole
  Scenario: A STRUCT field comes out of the rule whole
    A STRUCT(fields) field keeps its JSON object, nested arrays included (eKuiper leaves STRUCT fields out of its output, even when the rule names them).

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, pos STRUCT(x BIGINT, y ARRAY(BIGINT)))
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT id, pos FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"id": 1, "pos": {"x": 1, "y": [2, 3]}, "extra": true}'
    Then the rule "r1" outputs {"id": 1, "pos": {"x": 1, "y": [2, 3]}}

  @json @should @id:json-typed-array-elements-use-schema
  Scenario: Each element of an array is decoded with the stream's schema
    A typed stream applies its schema to every record of an array message.

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, name STRING)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '[{"id": 1, "name": "a", "x": 0}, {"id": 2, "name": 3, "y": 0}]'
    Then the rule "r1" outputs [{"id": 1, "name": "a"}, {"id": 2, "name": "3"}]
