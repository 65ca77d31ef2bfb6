import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import OrchardJobs
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `orchard serve --tls-cert PEM --tls-key PEM`: the real server speaks HTTPS that a verifying client accepts only
/// through the CA that issued the certificate, and refuses to start with a pair it could not serve.
@Suite(.serialized) struct TLSServeTests {
    @Test func servesHTTPSThatAVerifyingClientTrustsOnlyThroughItsCA() async throws {
        let ca = try TestCertificateAuthority(commonName: "Orchard Test CA")
        let issued = try ca.issueServerCertificate()
        let dir = temporaryDataDir("tls")
        let key = try createKey(dataDir: dir)
        let server = try ServerProcess(dataDir: dir, extraArgs: ["--workers", "0",
                                                                 "--tls-cert", issued.certificatePath, "--tls-key", issued.keyPath])
        defer { server.kill(SIGKILL) }
        try await server.waitUntilListening()
        #expect(server.output.contains("orchard listening on https://127.0.0.1:\(server.port)"), "\(server.output)")

        try await withClient(trusting: ca.certificatePath) { client in
            let health = try await client.execute(HTTPClientRequest(url: "\(server.baseURL)/healthz"), timeout: .seconds(30))
            #expect(health.status == .ok)
            #expect(String(buffer: try await health.body.collect(upTo: 1 << 16)).contains("ok"))

            var jobs = HTTPClientRequest(url: "\(server.baseURL)/v1/jobs")
            jobs.headers.add(name: "Authorization", value: "Bearer \(key)")
            let listed = try await client.execute(jobs, timeout: .seconds(30))
            #expect(listed.status == .ok)
            let page = try JSONDecoder().decode(JSONValue.self, from: Data(try await listed.body.collect(upTo: 1 << 20).readableBytesView))
            #expect(page["data"]?.arrayValue?.isEmpty == true, "\(page)")

            let anonymous = try await client.execute(HTTPClientRequest(url: "\(server.baseURL)/v1/jobs"), timeout: .seconds(30))
            #expect(anonymous.status == .unauthorized, "authentication still applies over TLS")
        }

        // A client that trusts another CA only must fail the handshake: the certificate does not verify.
        let stranger = try TestCertificateAuthority(commonName: "Unrelated CA")
        try await withClient(trusting: stranger.certificatePath) { client in
            try await expectHandshakeFailure(client, "\(server.baseURL)/healthz", reason: "CERTIFICATE_VERIFY_FAILED")
        }
        // TLS 1.0 and 1.1 are refused even to a client that trusts the CA.
        try await withClient(trusting: ca.certificatePath, maximumVersion: .tlsv11) { client in
            try await expectHandshakeFailure(client, "\(server.baseURL)/healthz", reason: "TLSV1_ALERT_PROTOCOL_VERSION")
        }

        // Plain HTTP to the TLS port is not served: no response at all, or no 200.
        do {
            let r = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/healthz"), timeout: .seconds(30))
            #expect(r.status != .ok, "plain HTTP was answered on the TLS port")
        } catch {}
    }

    /// Each unusable flag combination or file exits non-zero with a message naming the flag, before the data
    /// directory is created (nothing is started or written).
    @Test func serveRefusesAnUnusableCertificateOrKeyNamingTheFlag() async throws {
        let ca = try TestCertificateAuthority(commonName: "Orchard Test CA")
        let issued = try ca.issueServerCertificate()
        let encryptedKey = ca.directory.appendingPathComponent("encrypted.key").path
        try TestCertificateAuthority.openssl(["pkey", "-in", issued.keyPath, "-aes256", "-passout", "pass:secret", "-out", encryptedKey])
        let missing = ca.directory.appendingPathComponent("missing.pem").path

        let cases: [(flags: [String], expected: [String])] = [
            (["--tls-cert", issued.certificatePath], ["--tls-cert needs --tls-key"]),
            (["--tls-key", issued.keyPath], ["--tls-key needs --tls-cert"]),
            (["--tls-cert", missing, "--tls-key", issued.keyPath], ["--tls-cert \(missing) does not exist"]),
            (["--tls-cert", ca.directory.path, "--tls-key", issued.keyPath], ["--tls-cert \(ca.directory.path) is a directory"]),
            (["--tls-cert", issued.keyPath, "--tls-key", issued.keyPath], ["--tls-cert \(issued.keyPath)", "certificate"]),
            (["--tls-cert", issued.certificatePath, "--tls-key", issued.certificatePath],
             ["--tls-key \(issued.certificatePath) is not an unencrypted PEM private key"]),
            (["--tls-cert", issued.certificatePath, "--tls-key", encryptedKey], ["--tls-key \(encryptedKey) is encrypted"]),
            (["--tls-cert", issued.certificatePath, "--tls-key", ca.keyPath],
             ["--tls-key \(ca.keyPath) does not belong to the first certificate of \(issued.certificatePath)"]),
        ]
        for (flags, expected) in cases {
            let dir = temporaryDataDir("tls-refused")
            let (status, _, err) = try runTool("orchard", ["serve", "--port", "0", "--data-dir", dir.path] + flags, timeout: .seconds(60))
            #expect(status != 0 && status != SIGKILL, "\(flags) must exit with an error: \(err)")
            for fragment in expected { #expect(err.contains(fragment), "\(flags): \(err)") }
            #expect(!err.contains("listening"), "\(flags): \(err)")
            #expect(!FileManager.default.fileExists(atPath: dir.path), "\(flags) touched the data directory")
        }
    }

    /// `url` must fail in the TLS handshake, with `reason` (BoringSSL's name for it) in the error.
    private func expectHandshakeFailure(_ client: HTTPClient, _ url: String, reason: String) async throws {
        do {
            let r = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            Issue.record("expected a failed handshake (\(reason)), got \(r.status)")
        } catch let error as NIOSSLError {
            guard case .handshakeFailed = error else { Issue.record("expected a failed handshake, got \(error)"); return }
            #expect("\(error)".contains(reason), "\(error)")
        }
    }

    /// A client that trusts `caPath` only and verifies the certificate and the host name (`fullVerification`).
    private func withClient(trusting caPath: String, maximumVersion: TLSVersion? = nil,
                            _ body: (HTTPClient) async throws -> Void) async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(caPath)
        tls.certificateVerification = .fullVerification
        tls.maximumTLSVersion = maximumVersion
        // A failed handshake is retried until the connect timeout (10 s by default), then reported with its error.
        let client = HTTPClient(configuration: .init(tlsConfiguration: tls, timeout: .init(connect: .seconds(2))))
        do {
            try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
