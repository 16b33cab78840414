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
      | [{"a": 1}]                           | [{"a": 1}]                           |
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
      | {"s": "\ud83d\ude80 caf\u00e9"}                 | [{"s": "🚀 café"}]                                |
      | {"s": "\u00e91 \u00C9e"}                       | [{"s": "é1 Ée"}]                                  |
      | {"s": "\u00e9abc", "t": "\ud83d\ude80xyz"}        | [{"s": "éabc", "t": "🚀xyz"}]                     |
      | {"s": "naïve\tcafé ✓"}                          | [{"s": "naïve\tcafé ✓"}]                          |

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
      | {"a": 1} x     |
      | {"a": 1}{"b": 2} |
      | [{"a": 1}] ]   |
      |                |
      | {"s": "\ud83d   |
      | {"a": trux}    |
      | {"a": nul}     |
      | {"s": "a\\     |
      | {"a"::1}       |

  @json @must @id:json-every-string-escape
  Scenario: Every JSON string escape is decoded
    \" \\ \/ \b \f \n \r \t and \uXXXX become the characters they stand for.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"s": "q\"b\\s\/b\bf\fn\nr\rt\tu\u00e9"}'
    Then the rule "r1" outputs {"s": "q\"b\\s/b\bf\fn\nr\rt\tué"}

  @json @must @id:json-escapes-anywhere-in-a-string
  Scenario: Escapes are decoded at the start and end of a string, back to back, and in keys
    A string made only of escapes, a string that is one escape, and a key with escapes are decoded like any other.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"s": "\"\\\/\b\f\n\r\t"}'
    And client "c1" sends '{"s": "\n", "t": "\\", "u": "\u00e9"}'
    And client "c1" sends '{"k\ty": "x\\", "\u00e9\"": 1}'
    Then the rule "r1" outputs [{"s": "\"\\/\b\f\n\r\t"}, {"s": "\n", "t": "\\", "u": "é"}, {"k\ty": "x\\", "é\"": 1}]

  @json @extension @id:json-lone-surrogate-escape
  Scenario Outline: A \u escape of half a surrogate pair stands for U+FFFD
    A high surrogate not followed by a low one, or a low surrogate on its own, becomes the replacement character U+FFFD and the characters after it are kept, as encoding/json decodes them (eKuiper keeps such an escape as its six characters, and drops the character after it when that is another \u escape).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    Then the rule "r1" outputs <record>

    Examples:
      | message                      | record                     |
      | {"s": "\ud83dx"}             | {"s": "\ufffdx"}           |
      | {"s": "\ud83d\u0041"}        | {"s": "\ufffdA"}           |
      | {"s": "a\ud83d"}             | {"s": "a\ufffd"}           |
      | {"s": "\ude80b"}             | {"s": "\ufffdb"}           |
      | {"s": "\ud83d\ud83d\ude80"}  | {"s": "\ufffd\ud83d\ude80"} |

  @json @must @id:json-white-space
  Scenario Outline: Space, tab, line feed and carriage return are white space around any token
    JSON white space may stand before and after the message and around every brace, bracket, colon, comma and value. The cells write ␠ for a space, ␉ for a tab, ␊ for a line feed and ␍ for a carriage return.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>' written with control pictures
    And client "c1" sends '{"end": true}'
    Then the rule "r1" outputs <records>
    And the rule "r1" outputs {"end": true}

    Examples:
      | message                                        | records                      |
      | ␠{␠"a"␠:␠1␠,␠"b"␠:␠[␠2␠,␠{␠}␠]␠}␠              | [{"a": 1, "b": [2, {}]}]     |
      | ␉{␉"a"␉:␉1␉,␉"b"␉:␉[␉2␉,␉{␉}␉]␉}␉              | [{"a": 1, "b": [2, {}]}]     |
      | ␊{␊"a"␊:␊1␊,␊"b"␊:␊[␊2␊,␊{␊}␊]␊}␊              | [{"a": 1, "b": [2, {}]}]     |
      | ␍{␍"a"␍:␍1␍,␍"b"␍:␍[␍2␍,␍{␍}␍]␍}␍              | [{"a": 1, "b": [2, {}]}]     |
      | ␍␊[␍␊{"a":␉1}␍␊,␍␊{"a":␠2}␍␊]␍␊                 | [{"a": 1}, {"a": 2}]         |
      | {"a":1}␠                                       | [{"a": 1}]                   |
      | {"a":1}␉                                       | [{"a": 1}]                   |
      | {"a":1}␊                                       | [{"a": 1}]                   |
      | {"a":1}␍                                       | [{"a": 1}]                   |
      | [␠]␊                                           | []                           |
      | {"a":[␉]␉,"b":{␍}␍}                            | [{"a": [], "b": {}}]         |
      | {""␠:␠1}                                       | [{"": 1}]                    |

  @json @should @id:json-other-white-space-refused
  Scenario Outline: Other white space is a decode error
    A form feed, a vertical tab or a no-break space is not JSON white space: `<message>` is a decode error (the cells write ␌ for a form feed, ␋ for a vertical tab and ⍽ for a no-break space).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>' written with control pictures
    And client "c1" sends '{"end": true}'
    Then the rule "r1" outputs {"end": true}
    And the rule "r1" reports an exception

    Examples:
      | message      |
      | {"a":1}␌     |
      | ␌{"a":1}     |
      | {"a":␋1}     |
      | {"a":⍽1}     |

  @json @must @id:json-white-space-only-decode-error
  Scenario: A message of white space only is a decode error
    A message holding nothing but a space, a tab, a line feed and a carriage return holds no JSON value (written here with control pictures).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '␠␉␊␍' written with control pictures
    And client "c1" sends '{"end": true}'
    Then the rule "r1" outputs {"end": true}
    And the rule "r1" reports an exception
    And the rule "r1" keeps running

  @json @should @id:json-nesting-too-deep
  Scenario Outline: A message nested deeper than 10000 levels is a decode error
    Objects, or arrays inside an object, nested beyond 10000 levels (the outer object counts) are refused as encoding/json refuses them, and the decoder counts the error (eKuiper refuses nesting much sooner, beyond 300 levels).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends an object holding <kind> nested <depth> deep
    And client "c1" sends '{"end": true}'
    Then the rule "r1" outputs {"end": true}
    And the rule "r1" counts 1 decode error
    And the rule "r1" keeps running

    Examples:
      | kind    | depth |
      | objects | 10001 |
      | arrays  | 10001 |
      | objects | 20000 |

  @json @must @id:json-malformed-decode-error
  Scenario Outline: Truncated or malformed JSON is a decode error
    `<message>` is not JSON: the rule counts a decode error, outputs nothing for it, and the connection stays open.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    And client "c1" sends '{"end": true}'
    Then the rule "r1" outputs {"end": true}
    And the rule "r1" reports an exception
    And the rule "r1" keeps running

    Examples: cut short
      | message           |
      | {                 |
      | [                 |
      | {"a"              |
      | {"a":             |
      | {"a": [           |
      | {"a": {           |
      | {"a": 1,          |
      | [{"a": 1},        |
      | {"a": -           |
      | {"a": 1.          |
      | {"a": 1e          |
      | {"a": 1e+         |
      | {"a": tr          |
      | {"a": "x          |
      | {"a": "\u12       |
      | {"a": "\ud83d\    |
      | {"a": "\          |
      | {"a": "\}         |
      | {"a": "\"}        |
      | {"a": "x\ty       |
      | {": 1}            |

    Examples: brackets that do not match
      | message           |
      | [}                |
      | {]                |
      | ["a": 1}          |
      | {"a": 1]          |
      | {"a": [1}}        |
      | {"a": {"b": 1]]   |
      | [{"a": 1}}        |
      | {"a": "\t"}}      |
      | {"a": 1}}         |
      | {"a": 1]}         |
      | {"a": x]}         |

    Examples: misplaced quotes, colons and commas
      | message             |
      | {a": 1}             |
      | {"a": 1"}           |
      | {"a": "\t,"":1}     |
      | {"a" 1}             |
      | {"a" = 1}           |
      | {"a:"1"}            |
      | {"a": 1 "b": 2}     |
      | {"a": 1,}           |
      | [{"a": 1},]         |
      | {,"a": 1}           |
      | [,{"a": 1}]         |
      | {"a": [1,]}         |
      | {"a": [,1]}         |
      | {"a": 1,,"b": 2}    |
      | {1: 2}              |

    Examples: numbers JSON does not allow
      | message           |
      | {"a": -}          |
      | {"a": +1}         |
      | {"a": 1e}         |
      | {"a": 1e+}        |
      | {"a": --1}        |
      | {"a": 1.5.5}      |
      | {"a": 0x1F}       |
      | {"a": 1e5e5}      |
      | {"a": -a}         |

    Examples: words JSON does not know
      | message           |
      | {"a": tru }       |
      | {"a": fals }      |
      | {"a": nul }       |
      | {"a": True}       |
      | {"a": NULL}       |
      | {"a": nil}        |

  @json @should @id:json-duplicate-key-last-wins
  Scenario Outline: Of a key written twice in one object, the last value wins
    eKuiper keeps the last value of a repeated key, at any depth.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    Then the rule "r1" outputs <record>

    Examples:
      | message                             | record                      |
      | {"a": 1, "a": 2}                    | {"a": 2}                    |
      | {"a": 1, "b": {"c": 1, "c": "x"}}   | {"a": 1, "b": {"c": "x"}}   |

  @json @extension @id:json-strict-syntax
  Scenario Outline: JSON that RFC 8259 forbids is a decode error
    A raw control character inside a string, a number with a leading zero, a number with no digit before or after its decimal point and a \u escape with a digit that is not hexadecimal are invalid JSON (eKuiper accepts them all: 0123 becomes 123, .5 becomes 0.5, 1. becomes 1, \u00G9 stays as written). In these cells `\n` is Gherkin's escape for a raw line break, not the JSON escape.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    And client "c1" sends '{"end": true}'
    Then the rule "r1" outputs {"end": true}
    And the rule "r1" reports an exception
    And the rule "r1" keeps running

    Examples:
      | message                |
      | {"s": "line\nbreak"}   |
      | {"n": 0123}            |
      | {"n": -01}             |
      | {"s": "\u00G9"}        |
      | {"n": .5}              |
      | {"n": 1.}              |
      | {"n": 1.e5}            |
      | {"n": -.5}             |

  @json @extension @id:json-int64-limits-exact
  Scenario Outline: Integers at and beyond the int64 limits stay exact
    A schemaless stream keeps every digit of 19-digit integers, of the int64 limits and of their neighbours on both sides (eKuiper rounds them all to a float).

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    Then the rule "r1" outputs <message>

    Examples:
      | message                                                      |
      | {"max": 9223372036854775807, "min": -9223372036854775808}    |
      | {"a": 9223372036854775806, "b": -9223372036854775807}        |
      | {"over": 9223372036854775808, "under": -9223372036854775809} |
      | {"n": 1234567890123456789, "m": -1000000000000000001}        |

  @json @extension @id:json-decode-error-names-the-problem
  Scenario Outline: A decode error quotes the message and says what is wrong with it
    The decoder's last exception quotes the message (its first 64 bytes and its size when it is longer) and names what it holds instead of objects, quoting at most 32 characters of a string.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    Then the rule "r1" reports a decode error mentioning '<text>'

    Examples:
      | message                                 | text                                                                 |
      | not json                                | decode payload "not json": invalid JSON                              |
      | 42                                      | "42": the message is the number 42, want an object or an array of objects |
      | [{"a": 1}, 7]                           | element 1 of the array is the number 7, want an object               |
      | ["abcdefghijklmnopqrstuvwxyz012345"]    | element 0 of the array is the string "abcdefghijklmnopqrstuvwxyz012345", want an object |
      | ["abcdefghijklmnopqrstuvwxyz0123456"]   | element 0 of the array is the string "abcdefghijklmnopqrstuvwxyz012345...", want an object |
      | [1, "0123456789012345678901234567890123456789012345678901234567890123456789"] | (first 64 of 77 bytes): element 0 of the array is the number 1, want an object |

  @json @extension @id:json-typed-decode-error-names-field
  Scenario Outline: A typed stream's decode error names the field, and the element of an array message
    The decoder's last exception names the field that could not be converted and, when the message is an array of several records, the element it is in.

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, name STRING)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    Then the rule "r1" reports a decode error mentioning '<text>'

    Examples:
      | message                            | text                                                          |
      | {"id": "x"}                        | "{\"id\": \"x\"}": field "id": cannot convert the string "x" to BIGINT |
      | [{"id": "x"}]                      | "[{\"id\": \"x\"}]": field "id": cannot convert the string "x" to BIGINT |
      | [{"id": 1}, {"id": "x"}]           | element 1: field "id": cannot convert the string "x" to BIGINT |
      | [{"id": 1}, {"id": 2}, {"id": 3.5}] | element 2: field "id": cannot convert the number 3.5 to BIGINT: not an integer |

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
      | {"id": 5, "name": -0, "temp": 5, "ok": true}          | {"id": 5, "name": "-0", "temp": 5, "ok": true}          |
      | {"id": 6, "name": "f", "temp": 12345678901234567890, "ok": true} | {"id": 6, "name": "f", "temp": 12345678901234567000, "ok": true} |

  @json @should @id:json-typed-undeclared-field-never-refused
  Scenario Outline: A field the schema does not declare never spoils the message
    An undeclared field is dropped whatever it holds, even a number beyond the float range, and the declared fields are converted as usual.

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, ok BOOLEAN, name STRING)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    Then the rule "r1" outputs <record>

    Examples:
      | message                                         | record                                 |
      | {"id": 1, "ok": 1, "x": 1e400}                  | {"id": 1, "ok": true}                  |
      | {"id": 2, "ok": 0, "name": 5, "x": -1e400}      | {"id": 2, "ok": false, "name": "5"}    |

  @json @should @id:json-typed-boolean-from-strings-and-numbers
  Scenario Outline: A BOOLEAN field takes the strings Go's ParseBool takes and any number
    "1", "t", "TRUE", "False" and the like are booleans, a number is true unless it is 0 (1e400, beyond the float range, is true; 1e-400 is 0); other strings ("yes", "no") are refused, as the outline on unconvertible values shows.

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, ok BOOLEAN)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    Then the rule "r1" outputs <record>

    Examples:
      | message                  | record                 |
      | {"id": 1, "ok": "1"}     | {"id": 1, "ok": true}  |
      | {"id": 2, "ok": "t"}     | {"id": 2, "ok": true}  |
      | {"id": 3, "ok": "TRUE"}  | {"id": 3, "ok": true}  |
      | {"id": 4, "ok": "False"} | {"id": 4, "ok": false} |
      | {"id": 5, "ok": 1}       | {"id": 5, "ok": true}  |
      | {"id": 6, "ok": 0}       | {"id": 6, "ok": false} |
      | {"id": 7, "ok": 2.5}     | {"id": 7, "ok": true}  |
      | {"id": 8, "ok": 1e400}   | {"id": 8, "ok": true}  |
      | {"id": 9, "ok": 1e-400}  | {"id": 9, "ok": false} |

  @json @should @id:json-typed-number-to-string
  Scenario Outline: A number in a STRING field is written the way Go's %v writes a float64
    The shortest digits that give the number back, with an exponent below 1e-4 and from 1e6 on (integers included: eKuiper converts through float64).

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, name STRING)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    Then the rule "r1" outputs <record>

    Examples:
      | message                      | record                          |
      | {"id": 1, "name": 100.0}     | {"id": 1, "name": "100"}        |
      | {"id": 2, "name": 1e21}      | {"id": 2, "name": "1e+21"}      |
      | {"id": 3, "name": 1e-7}      | {"id": 3, "name": "1e-07"}      |
      | {"id": 4, "name": 1e20}      | {"id": 4, "name": "1e+20"}      |
      | {"id": 5, "name": 0.0001}    | {"id": 5, "name": "0.0001"}     |
      | {"id": 6, "name": 123456}    | {"id": 6, "name": "123456"}     |
      | {"id": 7, "name": 1234567}   | {"id": 7, "name": "1.234567e+06"} |
      | {"id": 8, "name": 12345678901234567890} | {"id": 8, "name": "1.2345678901234567e+19"} |

  @json @should @id:json-typed-bigint-limits
  Scenario Outline: A BIGINT field holds the whole int64 range
    The int64 limits come out exact; one beyond them is refused, as the outline on unconvertible values shows.

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    Then the rule "r1" outputs <message>

    Examples:
      | message                       |
      | {"id": 9223372036854775807}   |
      | {"id": -9223372036854775808}  |
      | {"id": 1000000000000000001}   |

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
      | {"id": 3.0, "name": "a", "temp": 1, "ok": true}    |
      | {"id": 1e3, "name": "a", "temp": 1, "ok": true}    |
      | {"id": 9223372036854775808, "name": "a", "temp": 1, "ok": true} |
      | {"id": -9223372036854775809, "name": "a", "temp": 1, "ok": true} |
      | {"id": 4, "name": true, "temp": 1, "ok": true}     |
      | {"id": 5, "name": "a", "temp": 1, "ok": "yes"}     |
      | {"id": 6, "name": "a", "temp": 1, "ok": "no"}      |
      | {"id": 1.5e400, "name": "a", "temp": 1, "ok": true} |
      | {"id": 7, "name": "a", "temp": 1e400, "ok": true}   |

  @json @extension @id:json-typed-string-beyond-float-range
  Scenario: A number beyond the float range in a STRING field is a decode error
    A STRING field cannot be given `1e400`, as a schemaless stream cannot hold it: the message is a decode error (eKuiper writes the string "+Inf").

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, name STRING)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"id": 1, "name": 1e400}'
    And client "c1" sends '{"id": 2, "name": "end"}'
    Then the rule "r1" outputs {"id": 2, "name": "end"}
    And the rule "r1" reports an exception

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

  @json @should @id:json-typed-nested-schemas
  Scenario Outline: Nested schemas convert every element, and DATETIME and BYTEA take what eKuiper takes
    ARRAY(BIGINT) elements and the fields of ARRAY(STRUCT(...)) elements are converted and filtered like top-level fields; DATETIME keeps a number; a BYTEA string that is not padded base64 stands for its own bytes (output as base64).

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, xs ARRAY(BIGINT), pts ARRAY(STRUCT(x BIGINT, p STRUCT(q STRING))), at DATETIME, y BYTEA)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    Then the rule "r1" outputs <record>

    Examples:
      | message                                                          | record                                            |
      | {"id": 1, "xs": [1, null, 2]}                                    | {"id": 1, "xs": [1, null, 2]}                     |
      | {"id": 2, "pts": [{"x": 1, "z": 2, "p": {"q": "a", "r": 1}}]}    | {"id": 2, "pts": [{"x": 1, "p": {"q": "a"}}]}     |
      | {"id": 3, "pts": [{"p": {"q": 5}}]}                              | {"id": 3, "pts": [{"p": {"q": "5"}}]}             |
      | {"id": 4, "at": 1700000000000}                                   | {"id": 4, "at": 1700000000000}                    |
      | {"id": 5, "y": "aGk="}                                           | {"id": 5, "y": "aGk="}                            |
      | {"id": 6, "y": "not base64!"}                                    | {"id": 6, "y": "bm90IGJhc2U2NCE="}                |
      | {"id": 7, "y": "aGk"}                                            | {"id": 7, "y": "YUdr"}                            |

  @json @should @id:json-typed-nested-refuses-unconvertible
  Scenario Outline: An element that does not fit a nested schema refuses the message
    Like a top-level field, an array element or a struct field inside an array that cannot be converted is a decode error.

    Given a stream created with:
      """
      CREATE STREAM typed (id BIGINT, xs ARRAY(BIGINT), pts ARRAY(STRUCT(x BIGINT)), at DATETIME)
        WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM typed"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    And client "c1" sends '{"id": 0}'
    Then the rule "r1" outputs {"id": 0}
    And the rule "r1" reports an exception

    Examples:
      | message                         |
      | {"id": 1, "xs": ["1"]}          |
      | {"id": 2, "xs": [1.5]}          |
      | {"id": 3, "xs": [1.0]}          |
      | {"id": 4, "xs": [[1]]}          |
      | {"id": 5, "pts": [{"x": "1"}]}  |
      | {"id": 6, "pts": [1]}           |
      | {"id": 7, "at": true}           |

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

  @json @should @id:json-number-beyond-float-range
  Scenario: A number beyond the float range is a decode error
    A schemaless stream cannot hold `1e400`: the message is a decode error and the connection stays open.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"f": 1e400}'
    And client "c1" sends '{"end": true}'
    Then the rule "r1" outputs {"end": true}
    And the rule "r1" reports an exception
    And the rule "r1" keeps running

  @json @extension @id:json-number-beyond-float-range-counted-by-decoder
  Scenario Outline: A number beyond the float range is counted as a decode error
    `<message>` is refused by the decoder, which counts the error, on a schemaless stream and in a DATETIME field alike (eKuiper decodes the number as +Inf and only its sink fails on the record).

    Given a stream created with:
      """
      CREATE STREAM <stream> WITH (DATASOURCE="/api/data", FORMAT="json", TYPE="websocket")
      """
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    And client "c1" sends '{"id": 1}'
    Then the rule "r1" outputs {"id": 1}
    And the rule "r1" counts 1 decode error

    Examples:
      | stream                       | message                   |
      | demo ()                      | {"f": 1e400}              |
      | demo ()                      | {"a": [1.5, -1e400]}      |
      | demo ()                      | {"a": [-1e400]}           |
      | demo (id BIGINT, at DATETIME) | {"at": 1e400}            |

  @json @should @id:json-nested-number-beyond-float-range
  Scenario Outline: A number beyond the float range is a decode error at any depth
    `<message>` is a decode error: a number the float range cannot hold spoils the whole message, however deep it sits.

    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '<message>'
    And client "c1" sends '{"end": true}'
    Then the rule "r1" outputs {"end": true}
    And the rule "r1" reports an exception

    Examples:
      | message                 |
      | {"a": [1, 1e400]}       |
      | [{"f": [1e400]}]        |
      | {"o": {"f": -1e400}}    |
