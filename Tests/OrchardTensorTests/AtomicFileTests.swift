import Foundation
import Testing
@testable import OrchardTensor

@Suite struct AtomicFileTests {
    @Test func writeReplacesContentAndLeavesNoTemporaryFiles() throws {
        let dir = try makeSafeTensorsTestDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("state.json")
        try AtomicFile.write(Data("first".utf8), to: url)
        try AtomicFile.write(Data("second, longer".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second, longer")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["state.json"])
    }

    @Test func failedWriteKeepsTheOldFileAndCleansUp() throws {
        struct Boom: Error {}
        let dir = try makeSafeTensorsTestDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.bin")
        try AtomicFile.write(Data("old".utf8), to: url)
        #expect(throws: Boom.self) {
            try AtomicFile.write(to: url) { writer in
                try writer.write(Data("half-written".utf8))
                throw Boom()
            }
        }
        #expect(try String(contentsOf: url, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.bin"])
    }

    @Test func writeIntoMissingDirectoryThrowsClearly() {
        let url = URL(fileURLWithPath: "/nonexistent-orchard-dir/x.json")
        do {
            try AtomicFile.write(Data("x".utf8), to: url)
            Issue.record("expected an error")
        } catch let error as AtomicFileError {
            #expect(error.description.contains("nonexistent-orchard-dir"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func directoryCommitIsAllOrNothing() throws {
        struct Boom: Error {}
        let root = try makeSafeTensorsTestDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let checkpoint = root.appendingPathComponent("step-000010")
        try AtomicFile.commitDirectory(at: checkpoint) { tmp in
            try Data("a".utf8).write(to: tmp.appendingPathComponent("model.safetensors"))
            try FileManager.default.createDirectory(at: tmp.appendingPathComponent("extra"), withIntermediateDirectories: false)
            try Data("b".utf8).write(to: tmp.appendingPathComponent("extra/state.json"))
        }
        #expect(try String(contentsOf: checkpoint.appendingPathComponent("extra/state.json"), encoding: .utf8) == "b")

        // Existing destination: refused unless replacing.
        #expect(throws: AtomicFileError.self) { try AtomicFile.commitDirectory(at: checkpoint) { _ in } }
        // A failing populate leaves the old directory intact and no temporary directory behind.
        #expect(throws: Boom.self) {
            try AtomicFile.commitDirectory(at: checkpoint, replacing: true) { tmp in
                try Data("partial".utf8).write(to: tmp.appendingPathComponent("model.safetensors"))
                throw Boom()
            }
        }
        #expect(try String(contentsOf: checkpoint.appendingPathComponent("model.safetensors"), encoding: .utf8) == "a")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["step-000010"])

        try AtomicFile.commitDirectory(at: checkpoint, replacing: true) { tmp in
            try Data("new".utf8).write(to: tmp.appendingPathComponent("model.safetensors"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: checkpoint.path) == ["model.safetensors"])
        #expect(try String(contentsOf: checkpoint.appendingPathComponent("model.safetensors"), encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["step-000010"])
    }
}
