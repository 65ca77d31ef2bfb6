import OrchardCorpus
/// The learning algorithm A of spec §1.5: vocabulary → Q statistics → anchors → recovery → R̂.
public enum TopicModelTrainer {
    /// Trains from scratch, building the vocabulary from `documents`.
    /// With `certification`, also calibrates the Gaussian mechanism and the deletion capacity (which
    /// needs the corpus to draw forget sets from when the sensitivity is empirical).
    public static func train(documents: [Document], config: TopicModelConfig,
                             certification: CertifiedUnlearningConfig? = nil) throws -> TopicModel {
        try config.validate()
        let vocabulary = try TopicVocabulary.build(documents: documents, tokenizer: config.tokenizer,
                                                   minDocumentFrequency: config.minDocumentFrequency,
                                                   maxSize: config.maxVocabularySize)
        return try train(documents: documents, vocabulary: vocabulary, config: config, certification: certification)
    }

    /// Trains over a fixed vocabulary. This is the retraining reference A(S∖S_f) of the unlearning checks:
    /// the vocabulary is built once from the full corpus (spec §7).
    public static func train(documents: [Document], vocabulary: TopicVocabulary, config: TopicModelConfig,
                             certification: CertifiedUnlearningConfig? = nil) throws -> TopicModel {
        try config.validate()
        guard vocabulary.tokenizer == config.tokenizer else {
            throw TopicModelError.invalidConfiguration("vocabulary was built with a different tokenizer")
        }
        var statistics = CooccurrenceStatistics(vocabularySize: vocabulary.count)
        var records: [String: TrainedDocumentRecord] = [:]
        records.reserveCapacity(documents.count)
        for doc in documents {
            guard records[doc.id] == nil else { throw TopicModelError.duplicateDocument(id: doc.id) }
            let bag = vocabulary.bagOfWords(doc.text)
            let contributes = statistics.add(bag)
            records[doc.id] = TrainedDocumentRecord(fingerprint: String(bag.fingerprint, radix: 16), contributes: contributes)
        }
        guard statistics.documentCount >= 1 else {
            throw TopicModelError.emptyCorpus("no document has at least two in-vocabulary tokens")
        }
        var model = try TopicModel.fit(config: config, vocabulary: vocabulary, statistics: statistics, documents: records,
                                       certification: nil, deletedDocumentCount: 0)
        if let certification {
            model.certification = try SensitivityCalibration.calibrateBase(model: model, documents: documents, config: certification)
        }
        return model
    }
}
