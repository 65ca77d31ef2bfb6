import Foundation

/// Ten colours that stay distinguishable for most readers (Tableau 10), cycled by series index.
public enum ChartPalette {
    public static let colors = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
    public static func color(_ i: Int) -> String { colors[i % colors.count] }
}
