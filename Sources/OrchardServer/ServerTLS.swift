import Foundation
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// HTTPS for the API: a certificate chain and the private key of its first certificate, read from PEM files.
/// Loading checks everything that could make the server fail later (unreadable files, no certificate, no key, a key
/// that does not belong to the certificate) by building the TLS context once, so a bad pair is refused at start, with
/// the file it concerns (`LoadError`), instead of when the first connection arrives.
/// The files are read once: a renewed certificate takes effect when the server restarts.
public struct ServerTLS: Sendable {
    /// The PEM files it was loaded from (for the startup log).
    public let certificateChainPath: String
    public let privateKeyPath: String
    /// The server side of the handshake: this chain and key, TLS 1.2 or later, no client certificates asked for.
    let configuration: TLSConfiguration

    /// `certificateChainPath`: one or more PEM certificates, the server's own first, then any intermediates.
    /// `privateKeyPath`: the unencrypted PEM private key (PKCS#8, or a traditional RSA/EC key) of the first certificate.
    public init(certificateChainPath: String, privateKeyPath: String) throws(LoadError) {
        let chainBytes = try Self.read(certificateChainPath, as: .certificateChain)
        let keyBytes = try Self.read(privateKeyPath, as: .privateKey)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(chainBytes)
        } catch {
            throw LoadError(file: .certificateChain, path: certificateChainPath, problem: "is not a PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else {
            throw LoadError(file: .certificateChain, path: certificateChainPath, problem: "holds no PEM certificate")
        }
        // A passphrase would have to be typed at every start; BoringSSL has no prompt and would only fail to parse.
        let keyText = String(decoding: keyBytes, as: UTF8.self)
        if keyText.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || keyText.contains("Proc-Type: 4,ENCRYPTED") {
            throw LoadError(file: .privateKey, path: privateKeyPath,
                            problem: "is encrypted; give the key unencrypted, readable only by the service's user")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw LoadError(file: .privateKey, path: privateKeyPath,
                            problem: "is not an unencrypted PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12  // NIOSSL's server default still accepts TLS 1.0 and 1.1
        // BoringSSL compares the key with the leaf certificate's public key when the context takes both.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw LoadError(file: .privateKey, path: privateKeyPath,
                            problem: "does not belong to the first certificate of \(certificateChainPath) (\(error))")
        }
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.configuration = configuration
    }

    /// Hummingbird's HTTP/1.1 server with TLS in front of it (what `HTTPServerBuilder.tls(.http1(), tlsConfiguration:)`
    /// builds, without its `throws`: the context is rebuilt when the server starts, from a configuration that
    /// `init` has already built once).
    func serverBuilder(http1: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        let configuration = configuration
        return HTTPServerBuilder { responder in
            try TLSChannel(HTTP1Channel(responder: responder, configuration: http1), tlsConfiguration: configuration)
        }
    }

    private static func read(_ path: String, as file: LoadError.File) throws(LoadError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LoadError(file: file, path: path, problem: "does not exist")
        }
        guard !isDirectory.boolValue else { throw LoadError(file: file, path: path, problem: "is a directory, not a PEM file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw LoadError(file: file, path: path, problem: "is not readable by this user (check its owner and mode)")
        }
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw LoadError(file: file, path: path, problem: "cannot be read (\(error.localizedDescription))")
        }
    }

    /// Why a certificate chain or private key cannot serve HTTPS: which of the two files, and what is wrong with it.
    public struct LoadError: Error, CustomStringConvertible {
        public enum File: Sendable { case certificateChain, privateKey }
        public let file: File
        public let path: String
        /// Completes "PATH …", e.g. "does not exist".
        public let problem: String

        public var description: String { "\(path) \(problem)" }
    }
}
