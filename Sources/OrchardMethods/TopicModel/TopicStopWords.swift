/// Stop words for topic modelling: a standard English list plus the Debian-description boilerplate
/// named in specs/data.md (e), which would otherwise become anchor words of every topic.
public enum TopicStopWords {
    public static let debianBoilerplate: Set<String> = [
        "package", "provides", "contains", "files", "library", "support", "debian", "version",
        "program", "tool", "use", "using",
    ]

    public static let english: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are",
        "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
        "can", "could", "did", "do", "does", "doing", "down", "during", "each", "etc", "few", "for", "from",
        "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself",
        "his", "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "may", "me",
        "might", "more", "most", "must", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
        "once", "one", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same",
        "shall", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
        "themselves", "then", "there", "these", "they", "this", "those", "through", "thus", "to", "too",
        "under", "until", "up", "upon", "us", "very", "via", "was", "we", "well", "were", "what", "when",
        "where", "which", "while", "who", "whom", "why", "will", "with", "within", "without", "would",
        "yet", "you", "your", "yours", "yourself", "yourselves", "e", "g", "eg", "ie", "many", "much",
        "new", "see", "two", "like", "used", "based", "make", "makes", "allows", "allow", "several",
        "various", "includes", "including", "include", "contain", "provided", "providing",
    ]

    /// The default list: English plus Debian boilerplate.
    public static let `default`: Set<String> = english.union(debianBoilerplate)
}
