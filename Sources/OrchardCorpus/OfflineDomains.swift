import Foundation

/// Domains built only from text already on every Debian machine: no download, so tests and CI can
/// use them. Same JSONL shape as the downloadable domains.
public enum OfflineDomains {
    public static let all: [CorpusDomain] = [licenses, copyright, python, cHeaders, changelogs, descriptions, manpages]

    /// Licence texts of base-files (Essential, so present everywhere).
    public static let licenses = CorpusDomain(
        name: "licenses", summary: "/usr/share/common-licenses (base-files)", needsDownload: false
    ) { context in
        context.fetcher.recordInstalled("base-files")
        return TextSources.files(domain: "licenses", source: "local", root: context.path("/usr/share/common-licenses")) { _ in true }
    }

    /// Copyright files of the installed packages, paragraph-deduplicated.
    public static let copyright = CorpusDomain(
        name: "copyright", summary: "/usr/share/doc/*/copyright, paragraph-deduplicated", needsDownload: false
    ) { context in
        copyrightCandidates(domain: "copyright", context: context)
    }

    /// The Python 3 standard library (tests excluded): /usr/lib/python3.11 on Debian 12, or the
    /// newest /usr/lib/python3.N another image has.
    public static let python = CorpusDomain(
        name: "python", summary: "/usr/lib/python3.N stdlib .py (newest N; tests and site-packages excluded)", needsDownload: false
    ) { context in
        let lib = context.path("/usr/lib")
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []).compactMap { name -> (Int, String)? in
            guard name.hasPrefix("python3."), let minor = Int(name.dropFirst("python3.".count)) else { return nil }
            return (minor, name)
        }
        guard let newest = versions.max(by: { $0.0 < $1.0 })?.1 else { return [] }
        context.fetcher.recordInstalled("lib\(newest)-stdlib")
        return TextSources.files(domain: "python", source: "local", root: lib.appendingPathComponent(newest)) { path in
            path.hasSuffix(".py") && !path.split(separator: "/").contains {
                $0 == "test" || $0 == "tests" || $0 == "idle_test" || $0 == "site-packages" || $0 == "dist-packages"
            }
        }
    }

    /// C headers of libc and the Linux UAPI.
    public static let cHeaders = CorpusDomain(
        name: "c-headers", summary: "/usr/include headers (libc6-dev, linux-libc-dev, others installed)", needsDownload: false
    ) { context in
        context.fetcher.recordInstalled("libc6-dev")
        context.fetcher.recordInstalled("linux-libc-dev")
        return TextSources.files(domain: "c-headers", source: "local", root: context.path("/usr/include")) { $0.hasSuffix(".h") }
    }

    /// Debian changelogs of the installed packages (maintainers' prose about changes).
    public static let changelogs = CorpusDomain(
        name: "changelogs", summary: "/usr/share/doc/*/changelog.Debian.gz", needsDownload: false
    ) { context in
        TextSources.files(domain: "changelogs", source: "local", root: context.path("/usr/share/doc")) { path in
            path.hasSuffix("/changelog.Debian.gz") && path.split(separator: "/").count == 2
        }
    }

    /// Long descriptions of the installed packages, from the dpkg database.
    public static let descriptions = CorpusDomain(
        name: "descriptions", summary: "long package descriptions from /var/lib/dpkg/status", needsDownload: false
    ) { context in
        try DebianDescriptions.installed(statusFile: context.path("/var/lib/dpkg/status")).map {
            DocumentCandidate(id: "descriptions/local:var/lib/dpkg/status/\($0.package)", text: $0.text)
        }
    }

    /// Man pages on the machine, rendered by groff; cloud-SDK templates (gcloud*, thousands of
    /// near-identical pages on some images) are left out.
    public static let manpages = CorpusDomain(
        name: "manpages", summary: "/usr/share/man/man[1-8] rendered by groff (gcloud* excluded)", needsDownload: false
    ) { context in
        guard ProcessRunner.isAvailable("groff") else { return [] }
        return TextSources.manPages(domain: "manpages", source: "local", root: context.path("/usr/share/man")) { path in
            path.range(of: #"^man[1-8]/"#, options: .regularExpression) != nil && !path.contains("/gcloud") && !path.contains("/bq")
        }
    }

    static func copyrightCandidates(domain: String, context: DomainContext) -> [DocumentCandidate] {
        TextSources.deduplicatedParagraphs(domain: domain, files: copyrightFiles(context))
    }

    /// Licence texts and copyright files together, deduplicated as one stream (the `legal` domain).
    static func legalCandidates(domain: String, context: DomainContext) -> [DocumentCandidate] {
        context.fetcher.recordInstalled("base-files")
        let licenses = LocalFiles.files(under: context.path("/usr/share/common-licenses"), include: { _ in true })
            .map { (source: "local:usr/share/common-licenses/\($0.relative)", url: $0.url) }
        return TextSources.deduplicatedParagraphs(domain: domain, files: licenses + copyrightFiles(context))
    }

    /// `/usr/share/doc/PACKAGE/copyright` files (regular files only), sorted by package.
    private static func copyrightFiles(_ context: DomainContext) -> [(source: String, url: URL)] {
        let doc = context.path("/usr/share/doc")
        let packages = (try? FileManager.default.contentsOfDirectory(atPath: doc.path).sorted()) ?? []
        return packages.map { (source: "local:usr/share/doc/\($0)/copyright", url: doc.appendingPathComponent("\($0)/copyright")) }
            .filter { LocalFiles.isRegularFile($0.url) }
    }
}
