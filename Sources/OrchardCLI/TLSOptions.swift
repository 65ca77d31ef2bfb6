import ArgumentParser
import OrchardServer

/// `orchard serve --tls-cert PEM --tls-key PEM`: serve HTTPS directly (docs/operations.md, "TLS"). Both flags or
/// neither; every problem with the files is a usage error naming the flag, reported before the server starts.
struct TLSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (the server's certificate first, then intermediates); needs --tls-key.",
                               valueName: "pem"))
    var tlsCert: String?
    @Option(help: ArgumentHelp("The unencrypted PEM private key of --tls-cert's certificate.", valueName: "pem"))
    var tlsKey: String?

    func validate() throws {
        switch (tlsCert, tlsKey) {
        case (.some, nil): throw ValidationError("--tls-cert needs --tls-key (the certificate's private key)")
        case (nil, .some): throw ValidationError("--tls-key needs --tls-cert (the certificate chain it belongs to)")
        default: break
        }
    }

    /// The loaded pair, or nil when neither flag is given (plain HTTP).
    func serverTLS() throws -> ServerTLS? {
        guard let tlsCert, let tlsKey else { return nil }
        do {
            return try ServerTLS(certificateChainPath: tlsCert, privateKeyPath: tlsKey)
        } catch {
            let flag = switch error.file {
            case .certificateChain: "--tls-cert"
            case .privateKey: "--tls-key"
            }
            throw ValidationError("\(flag) \(error)")
        }
    }
}
