import Foundation

/// A throwaway certificate authority made with the `openssl` command line (`make deps` installs it): a P-256 key and
/// a self-signed CA certificate in a fresh temporary directory, and server certificates it signs there.
struct TestCertificateAuthority {
    let directory: URL
    let certificatePath: String
    let keyPath: String

    /// A server certificate this CA issued and its private key (PEM files).
    struct Issued {
        let certificatePath: String
        let keyPath: String
    }

    init(commonName: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-ca-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificatePath = directory.appendingPathComponent("ca.pem").path
        keyPath = directory.appendingPathComponent("ca.key").path
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", keyPath, "-out", certificatePath, "-days", "1", "-subj", "/CN=\(commonName)",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    /// A new key and a certificate for `localhost` and 127.0.0.1 (subjectAltName; clients verify names against it,
    /// not the CN), valid for a day, for TLS servers only.
    func issueServerCertificate(named name: String = "server") throws -> Issued {
        let key = directory.appendingPathComponent("\(name).key").path
        let request = directory.appendingPathComponent("\(name).csr").path
        let certificate = directory.appendingPathComponent("\(name).pem").path
        let extensions = directory.appendingPathComponent("\(name).ext")
        try Data("""
            subjectAltName=DNS:localhost,IP:127.0.0.1
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=serverAuth

            """.utf8).write(to: extensions)
        try Self.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", key, "-out", request, "-subj", "/CN=localhost"])
        try Self.openssl(["x509", "-req", "-in", request, "-CA", certificatePath, "-CAkey", keyPath, "-CAcreateserial",
                          "-out", certificate, "-days", "1", "-extfile", extensions.path])
        return Issued(certificatePath: certificate, keyPath: key)
    }

    /// Runs `openssl ARGS` from PATH; throws with its stderr when it fails.
    static func openssl(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl"] + arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw E2EError("openssl \(arguments.joined(separator: " ")) failed (\(p.terminationStatus); `make deps` installs openssl): "
                           + String(decoding: message, as: UTF8.self))
        }
    }
}
