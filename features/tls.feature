Feature: TLS
  The data server speaks `wss` only when kuiper.yaml sets
  `source.httpServerTls.certfile` and `keyfile`. In client mode, a confKey with
  `scheme: wss` dials over TLS and verifies the server's certificate against
  `rootCaPath` (a PEM file) or `rootCARaw` (base64 of the PEM text); a client
  certificate comes from `certificationPath` and `privateKeyPath`, or from
  `certficationRaw` (sic; eKuiper's code reads `certificationRaw`) and
  `privateKeyRaw`. A path wins over the raw value.
  `insecureSkipVerify: true` turns verification off.

  The suite makes fresh certificates for every scenario: a CA, a server
  certificate it signed, a client certificate it signed, and a server
  certificate from an unknown CA. Table values `${ca-file}`, `${ca-pem-base64}`,
  `${client-cert-file}`, `${client-key-file}`, `${client-cert-pem-base64}`,
  `${client-key-pem-base64}` and `${missing-file}` stand for those files, their
  base64 PEM text, and a path where no file exists.

  @tls @must @needs-server-tls @id:tls-server-wss
  Scenario: The data server serves wss when TLS is configured
    With `httpServerTls`, clients connect over wss and their messages become records.

    Given the data server uses TLS with a certificate from the suite's CA
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"secure": true}'
    Then the rule "r1" outputs {"secure": true}

  @tls @must @needs-server-tls @id:tls-server-refuses-plain-ws
  Scenario: A plain ws client cannot connect to a wss data server
    With `httpServerTls` the data server speaks wss only.

    Given the data server uses TLS with a certificate from the suite's CA
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    Then a plain ws client cannot connect to "/api/data"

  @tls @extension @needs-server-client-auth @id:tls-server-client-auth
  Scenario: A data server that demands client certificates refuses clients without one
    If the data server requires client certificates, only clients presenting one signed by its CA get in.

    Given the data server requires client certificates from the suite's CA
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" with a client certificate connected to "/api/data"
    When client "c1" sends '{"authenticated": true}'
    Then the rule "r1" outputs {"authenticated": true}
    And a client without a client certificate cannot connect to "/api/data"

  @tls @must @id:tls-client-trusts-confkey-ca
  Scenario Outline: Client mode trusts the server through the confKey's CA
    A wss remote whose certificate is signed by the CA given in `rootCaPath` or `rootCARaw` is trusted.

    Given a remote wss server with a certificate from the suite's CA
    And the confKey "remote" points at the remote server with:
      | scheme  | wss       |
      | <ca key> | <ca value> |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"trusted": true}'
    Then the rule "r1" outputs {"trusted": true}

    Examples:
      | ca key     | ca value         |
      | rootCaPath | ${ca-file}       |
      | rootCARaw  | ${ca-pem-base64} |

  @tls @must @id:tls-client-untrusted-stops-rule
  Scenario: An untrusted server certificate stops the rule
    A wss remote whose certificate the configured CA did not sign fails the dial: the rule is stopped by error.

    Given a remote wss server with a certificate from an unknown CA
    And the confKey "remote" points at the remote server with:
      | scheme     | wss        |
      | rootCaPath | ${ca-file} |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the rule "r1" status becomes "stopped by error"
    And the rule "r1" status mentions "certificate"

  @tls @must @id:tls-client-insecure-skip-verify
  Scenario: An untrusted server certificate is accepted with insecureSkipVerify
    `insecureSkipVerify: true` turns certificate verification off.

    Given a remote wss server with a certificate from an unknown CA
    And the confKey "remote" points at the remote server with:
      | scheme             | wss  |
      | insecureSkipVerify | true |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"unverified": true}'
    Then the rule "r1" outputs {"unverified": true}

  @tls @must @id:tls-client-certificate
  Scenario Outline: Client mode presents its client certificate
    A remote that demands a client certificate accepts the one configured on the confKey, by file or by base64 PEM.

    Given a remote wss server that requires a client certificate from the suite's CA
    And the confKey "remote" points at the remote server with:
      | scheme       | wss          |
      | rootCaPath   | ${ca-file}   |
      | <cert key>   | <cert value> |
      | <key key>    | <key value>  |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server receives a connection for "/api/data"
    Then the handshake carries a client certificate
    When the remote server sends '{"mutual": true}'
    Then the rule "r1" outputs {"mutual": true}

    Examples:
      | cert key          | cert value                  | key key        | key value                  |
      | certificationPath | ${client-cert-file}         | privateKeyPath | ${client-key-file}         |
      | certficationRaw   | ${client-cert-pem-base64}   | privateKeyRaw  | ${client-key-pem-base64}   |

  @tls @should @id:tls-client-certificate-raw-as-read
  Scenario: Client mode reads a base64 client certificate from certificationRaw
    The engine also takes the client certificate in base64 from `certificationRaw`, the spelling eKuiper's code reads.

    Given a remote wss server that requires a client certificate from the suite's CA
    And the confKey "remote" points at the remote server with:
      | scheme           | wss                       |
      | rootCaPath       | ${ca-file}                |
      | certificationRaw | ${client-cert-pem-base64} |
      | privateKeyRaw    | ${client-key-pem-base64}  |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server receives a connection for "/api/data"
    Then the handshake carries a client certificate
    When the remote server sends '{"mutual": true}'
    Then the rule "r1" outputs {"mutual": true}

  @tls @must @id:tls-client-certificate-missing
  Scenario: Without a client certificate a demanding remote refuses the engine
    If the remote requires a client certificate and the confKey gives none, the rule is stopped by error.

    Given a remote wss server that requires a client certificate from the suite's CA
    And the confKey "remote" points at the remote server with:
      | scheme     | wss        |
      | rootCaPath | ${ca-file} |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the rule "r1" status becomes "stopped by error"

  @tls @must @id:tls-client-ca-path-wins
  Scenario: A CA path wins over a raw CA
    If both `rootCaPath` and `rootCARaw` are set, the file is used.

    Given a remote wss server with a certificate from the suite's CA
    And the confKey "remote" points at the remote server with:
      | scheme     | wss                     |
      | rootCaPath | ${ca-file}              |
      | rootCARaw  | bm90IGEgY2VydGlmaWNhdGU= |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"path": "wins"}'
    Then the rule "r1" outputs {"path": "wins"}

  @tls @should @id:tls-client-missing-file-named
  Scenario: A missing certificate file is a clear error
    A confKey naming a certificate file that does not exist keeps the rule from running, and the error names the file.

    Given a remote wss server with a certificate from the suite's CA
    And the confKey "remote" points at the remote server with:
      | scheme     | wss             |
      | rootCaPath | ${missing-file} |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "${missing-file}"

  @tls @should @id:tls-client-refuses-old-tls
  Scenario Outline: Client mode refuses a remote that speaks only TLS <version>
    The engine's TLS is at least version 1.2: a wss remote limited to TLS <version> fails the dial and the rule is stopped by error.

    Given a remote wss server with a certificate from the suite's CA that speaks only TLS <version>
    And the confKey "remote" points at the remote server with:
      | scheme     | wss        |
      | rootCaPath | ${ca-file} |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the rule "r1" status becomes "stopped by error"
    And the rule "r1" status mentions "protocol version"

    Examples:
      | version |
      | 1.1     |
      | 1.0     |

  @tls @should @id:tls-client-raw-ca-with-line-breaks
  Scenario Outline: A base64 CA broken into lines is read
    Line breaks in `rootCARaw`, as base64 tools write them, are ignored.

    Given a remote wss server with a certificate from the suite's CA
    And the confKey "remote" points at the remote server with:
      | scheme | wss |
    And the confKey "remote" sets "rootCARaw" to ${ca-pem-base64} in lines of <width> characters ending in <eol>
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"wrapped": <width>}'
    Then the rule "r1" outputs {"wrapped": <width>}

    Examples:
      | width | eol  |
      | 64    | LF   |
      | 76    | CRLF |

  @tls @should @id:tls-client-raw-certificate-with-line-breaks
  Scenario: A base64 client certificate and key broken into lines are read
    Line breaks in `certificationRaw` and `privateKeyRaw` are ignored: the engine presents the certificate.

    Given a remote wss server that requires a client certificate from the suite's CA
    And the confKey "remote" points at the remote server with:
      | scheme     | wss        |
      | rootCaPath | ${ca-file} |
    And the confKey "remote" sets "certificationRaw" to ${client-cert-pem-base64} in lines of 64 characters ending in LF
    And the confKey "remote" sets "privateKeyRaw" to ${client-key-pem-base64} in lines of 76 characters ending in CRLF
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server receives a connection for "/api/data"
    Then the handshake carries a client certificate
    When the remote server sends '{"mutual": "wrapped"}'
    Then the rule "r1" outputs {"mutual": "wrapped"}

  @tls @should @needs-server-tls @id:tls-server-plain-http-answered-400
  Scenario Outline: A plain HTTP <method> request to a wss data server is answered with HTTP 400
    A client that speaks plain HTTP to the TLS port is told so with HTTP 400 ("Client sent an HTTP request to an HTTPS server"), whatever its method, instead of a connection closed without a word.

    Given the data server uses TLS with a certificate from the suite's CA
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    Then a plain HTTP <method> request for "/api/data" is answered with HTTP 400

    Examples:
      | method  |
      | GET     |
      | HEAD    |
      | POST    |
      | PUT     |
      | OPTIONS |

  @tls @extension @id:tls-client-insecure-skip-verify-as-text
  Scenario: insecureSkipVerify may be given as the text "true"
    `insecureSkipVerify: "true"` turns certificate verification off as `true` does (eKuiper wants a boolean).

    Given a remote wss server with a certificate from an unknown CA
    And the confKey "remote" points at the remote server with:
      | scheme             | wss    |
      | insecureSkipVerify | "true" |
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    And the rule "r1" runs "SELECT * FROM demo"
    When the remote server sends '{"unverified": "text"}'
    Then the rule "r1" outputs {"unverified": "text"}

  @tls @extension @id:tls-raw-not-base64-refused
  Scenario Outline: A raw TLS property that is not base64 is refused, even over plain ws
    A confKey whose `<property>` is not base64 keeps the rule from running, whatever its scheme, and the error names the property.

    Given the confKey "broken" points at an address where nothing listens
    And the confKey "broken" has:
      | <property> | not base64! |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "<property>"

    Examples:
      | property         |
      | rootCARaw        |
      | certificationRaw |
      | certficationRaw  |
      | privateKeyRaw    |

  @tls @extension @needs-engine-files @id:tls-server-files-refused
  Scenario Outline: A data server TLS file that cannot be used refuses server-mode rules, naming the key and the file
    With `source.httpServerTls` naming <what>, the engine starts, but a server-mode rule is refused, and the error names the file or says what is wrong with it.

    Given the engine's etc/kuiper.yaml is:
      """
      source:
        httpServerTls: {certfile: "<certfile>", keyfile: "<keyfile>", clientcafile: "<clientcafile>"}
      """
    And the engine accepts its configuration
    And a server-mode stream "demo" on "/api/data"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "<named>"

    Examples:
      | what                              | certfile            | keyfile            | clientcafile       | named                          |
      | a certfile that does not exist       | ${missing-file}     | ${server-key-file} |                    | ${missing-file}            |
      | a keyfile that does not exist        | ${server-cert-file} | ${missing-file}    |                    | ${missing-file}            |
      | a key that does not match            | ${client-cert-file} | ${server-key-file} |                    | private key does not match |
      | a client CA that does not exist      | ${server-cert-file} | ${server-key-file} | ${missing-file}    | ${missing-file}            |
      | a client CA file with no certificate | ${server-cert-file} | ${server-key-file} | ${server-key-file} | no PEM certificate found   |

  @tls @extension @needs-engine-files @id:tls-server-files-from-kuiper-yaml
  Scenario: The data server demands client certificates from the CA its kuiper.yaml names
    With `source.httpServerTls` giving certfile, keyfile and clientcafile, clients with a certificate from that CA get in over wss, and clients without one are refused.

    Given the engine's etc/kuiper.yaml is:
      """
      source:
        httpServerTls:
          certfile: ${server-cert-file}
          keyfile: ${server-key-file}
          clientcafile: ${ca-file}
      """
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" with a client certificate connected to "/api/data"
    When client "c1" sends '{"authenticated": "by file"}'
    Then the rule "r1" outputs {"authenticated": "by file"}
    And a client without a client certificate cannot connect to "/api/data"

  @tls @extension @id:tls-client-files-refused
  Scenario Outline: Client TLS settings that cannot be used stop the rule, naming what is wrong
    A wss confKey with <what> keeps the rule from running, and the error names the file or the property (eKuiper stops the rule with the TLS library's words, naming neither, and dials with a CA that holds no certificate).

    Given the confKey "broken" points at an address where nothing listens
    And the confKey "broken" has:
      | scheme     | wss          |
      | <cert key> | <cert value> |
      | <key key>  | <key value>  |
    And a client-mode stream "demo" reading "/api/data" through the confKey "broken"
    Then the rule "r1" running "SELECT * FROM demo" is refused with "<named>"

    Examples:
      | what                                  | cert key          | cert value          | key key        | key value           | named            |
      | a certificate file that is missing    | certificationPath | ${missing-file}     | privateKeyPath | ${client-key-file}  | ${missing-file}  |
      | a key file that is missing            | certificationPath | ${client-cert-file} | privateKeyPath | ${missing-file}     | ${missing-file}  |
      | a certificate without its key         | certificationPath | ${client-cert-file} | privateKeyRaw  |                     | privateKeyPath   |
      | a key without its certificate         | certificationRaw  |                     | privateKeyPath | ${client-key-file}  | certificationPath |
      | a key file that holds no key          | certificationPath | ${client-cert-file} | privateKeyPath | ${client-cert-file} | client certificate |
      | a CA that is no PEM certificate       | rootCARaw         | bm90IGEgY2VydGlmaWNhdGU= | insecureSkipVerify | false      | rootCARaw        |
