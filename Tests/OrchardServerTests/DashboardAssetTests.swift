import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/ui` and `/ui/{asset}` (issue 21 items 2 and 3): the served files are `ui/` byte for byte (`make embed`), they
/// need no key, every answer carries the dashboard's security headers, and the files keep the rules that make the
/// pages safe by construction (no inline script or style, no markup sinks). The pages themselves are exercised in a
/// real browser by EndToEndTests/DashboardBrowserTests.
@Suite struct DashboardAssetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let ui = root.appendingPathComponent("ui")
    static let csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    static func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: ui.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func expectSecurityHeaders(_ r: TestResponse, _ what: String) {
        #expect(r.headers[HTTPField.Name("Content-Security-Policy")!] == csp, "\(what): CSP \(r.headers[HTTPField.Name("Content-Security-Policy")!] ?? "none")")
        #expect(r.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(what)")
        #expect(r.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(what)")
        #expect(r.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(what)")
    }

    @Test func servedFilesAreTheUIDirectoryByteForByteWithoutAKey() async throws {
        let names = try Self.files()
        #expect(names.contains("index.html") && names.contains("app.js") && names.contains("style.css"))
        let server = try TestServer()
        try await server.app().test(.router) { client in
            for name in names {
                let onDisk = try Data(contentsOf: Self.ui.appendingPathComponent(name))
                let r = try await client.execute(uri: "/ui/\(name)", method: .get)
                #expect(r.status == .ok, "\(name): \(r.status); run `make embed` after adding or changing a file in ui/")
                #expect(Data(r.body.readableBytesView) == onDisk, "\(name) differs from its embedded copy: run `make embed`")
                let expectedType = name.hasSuffix(".js") ? "text/javascript; charset=utf-8"
                    : name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8"
                #expect(r.headers[.contentType] == expectedType, "\(name): \(r.headers[.contentType] ?? "-")")
                #expect(r.headers[.cacheControl] == "no-cache")
                Self.expectSecurityHeaders(r, name)
            }
            let page = try await client.execute(uri: "/ui", method: .get)
            #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(Data(page.body.readableBytesView) == (try Data(contentsOf: Self.ui.appendingPathComponent("index.html"))))
            Self.expectSecurityHeaders(page, "/ui")
        }
    }

    @Test func unknownFilesAreEnvelopedNotFoundWithTheSameHeaders() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            for path in ["/ui/nothing.js", "/ui/..%2Fopenapi.yaml", "/ui/%3Cscript%3E"] {
                let r = try await client.execute(uri: path, method: .get)
                #expect(r.status == .notFound, "\(path): \(r.status)")
                #expect(json(r.body)["error"]?["code"] == "not_found", "\(path): \(String(buffer: r.body))")
                #expect(r.headers[.contentType] == "application/json")
                Self.expectSecurityHeaders(r, path)
            }
            let post = try await client.execute(uri: "/ui", method: .post)
            #expect(post.status == .methodNotAllowed && post.headers[.allow] == "GET")
        }
    }

    /// The page may load only its own files: every script has a `src` under /ui/ and no body, there is no `<style>`
    /// and no `style=` or `on…=` attribute (CSP would block them; this keeps the file from depending on them).
    @Test func thePageHasNoInlineScriptOrStyle() throws {
        let html = try String(contentsOf: Self.ui.appendingPathComponent("index.html"), encoding: .utf8)
        let scripts = html.components(separatedBy: "<script").dropFirst()
        #expect(scripts.count == 1)
        for s in scripts {
            #expect(s.hasPrefix(" type=\"module\" src=\"/ui/") && s.contains("></script>"), "\(s.prefix(80))")
            let body = s[s.range(of: ">")!.upperBound...].prefix { $0 != "<" }
            #expect(body.isEmpty, "inline script: \(body)")
        }
        #expect(!html.contains("<style") && !html.contains(" style="))
        #expect(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "inline event handler")
        #expect(html.range(of: #"(src|href)="(https?:)?//"#, options: .regularExpression) == nil, "a file from another origin")
    }

    /// Strings reach the DOM as text only: no script of the dashboard (comments aside) uses a markup sink, evaluates
    /// code, sets a style attribute or handler attribute, or keeps the key anywhere but sessionStorage.
    @Test func theScriptsUseNoMarkupSinks() throws {
        let forbidden = ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                         "setAttribute('style'", "setAttribute('on", "localStorage", "document.cookie", "EventSource"]
        let scripts = try Self.files().filter { $0.hasSuffix(".js") }
        #expect(scripts.count >= 10)
        for name in scripts {
            let code = try String(contentsOf: Self.ui.appendingPathComponent(name), encoding: .utf8)
                .split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
            for word in forbidden { #expect(!code.contains(word), "\(name) uses \(word)") }
        }
    }
}
