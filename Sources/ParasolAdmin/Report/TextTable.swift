/// Left-aligned columns for terminal output, padded by visible width so that ANSI colors
/// (when on) do not shift the columns.
struct TextTable {
    struct Cell {
        var text: String
        var color: ANSIColor?

        init(_ text: String, _ color: ANSIColor? = nil) {
            self.text = text
            self.color = color
        }
    }

    var header: [String]
    var rows: [[Cell]] = []

    func render(colors: Bool) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.text.count)
            }
        }
        var lines: [String] = [line(header.map { Cell($0, colors ? .bold : nil) }, widths: widths, colors: colors)]
        lines += rows.map { line($0, widths: widths, colors: colors) }
        return lines.joined(separator: "\n")
    }

    private func line(_ cells: [Cell], widths: [Int], colors: Bool) -> String {
        var out = ""
        for (column, cell) in cells.enumerated() {
            let isLast = column == cells.count - 1
            let padding = isLast ? "" : String(repeating: " ", count: widths[column] - cell.text.count + 2)
            if colors, let color = cell.color {
                out += color.rawValue + cell.text + ANSIColor.reset + padding
            } else {
                out += cell.text + padding
            }
        }
        while out.hasSuffix(" ") {
            out.removeLast()
        }
        return out
    }
}

/// The few SGR codes the report uses.
enum ANSIColor: String {
    case red = "\u{1B}[31m"
    case green = "\u{1B}[32m"
    case yellow = "\u{1B}[33m"
    case bold = "\u{1B}[1m"

    static let reset = "\u{1B}[0m"
}
