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
