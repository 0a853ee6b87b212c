using System.Globalization;
using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Evaluation;

/// <summary>Which kind of set a folder holds.</summary>
public enum EvalKind
{
    /// <summary><c>labels.tsv</c> (<c>file text ...</c>): plate crops, each read whole.</summary>
    Crops,

    /// <summary><c>boxes.tsv</c> (<c>file x y w h text</c>): photos, run through detection and reading.</summary>
    Scenes,
}

/// <summary>One labelled plate: in a crop (<see cref="Box"/> null) or at a box of a scene photo. Text is empty when unknown.</summary>
public sealed record EvalPlate(PixelRect? Box, string Text);

/// <summary>One image of a set with its labelled plates (a scene may have several rows, hence several plates).</summary>
public sealed record EvalImage(string File, IReadOnlyList<EvalPlate> Plates);

/// <summary>
/// A folder in the shared data format: <c>img/</c> and a tab-separated label file with a header, <c>labels.tsv</c>
/// (crops) or <c>boxes.tsv</c> (scenes). Rows that cannot be used are listed in <see cref="Problems"/> with their line
/// number and left out; they never stop an evaluation.
/// </summary>
public sealed class EvalSet
{
    public const string CropsFile = "labels.tsv";

    public const string ScenesFile = "boxes.tsv";

    private EvalSet(string folder, EvalKind kind, string labelFile, IReadOnlyList<EvalImage> images, IReadOnlyList<string> problems)
    {
        Folder = folder;
        Kind = kind;
        LabelFile = labelFile;
        Images = images;
        Problems = problems;
    }

    public string Folder { get; }

    public EvalKind Kind { get; }

    public string LabelFile { get; }

    /// <summary>The images in the order of their first row.</summary>
    public IReadOnlyList<EvalImage> Images { get; }

    /// <summary>One line per row left out: <c>boxes.tsv line 7: w is 'abc', not a whole number</c>.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// Reads the folder's label file. <paramref name="only"/>, when given, keeps the rows whose file (as written, or its
    /// bare name) is in it: a held-out split list. Throws <see cref="FileNotFoundException"/> when the folder has neither
    /// label file and <see cref="IOException"/> when it cannot be read.
    /// </summary>
    public static EvalSet Load(string folder, IReadOnlySet<string>? only = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"'{folder}' is not a folder.");
        }

        var (kind, name) = File.Exists(Path.Combine(folder, CropsFile)) ? (EvalKind.Crops, CropsFile)
            : File.Exists(Path.Combine(folder, ScenesFile)) ? (EvalKind.Scenes, ScenesFile)
            : throw new FileNotFoundException($"'{folder}' has neither {CropsFile} (crops) nor {ScenesFile} (scenes).");
        var problems = new List<string>();
        var images = new List<(string File, List<EvalPlate> Plates)>();
        var byFile = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = File.ReadAllLines(Path.Combine(folder, name));
        if (lines.Length == 0)
        {
            return new EvalSet(folder, kind, name, [], [$"{name} is empty"]);
        }

        var header = lines[0].TrimEnd('\r').Split('\t');
        var columns = Columns(header, kind, name);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (!TryParse(line, columns, kind, out var file, out var plate, out var problem))
            {
                problems.Add($"{name} line {i + 1}: {problem}");
                continue;
            }

            if (only is not null && !only.Contains(file) && !only.Contains(Path.GetFileName(file)))
            {
                continue;
            }

            if (!byFile.TryGetValue(file, out var index))
            {
                index = images.Count;
                byFile[file] = index;
                images.Add((file, []));
            }
            else if (kind == EvalKind.Crops)
            {
                problems.Add($"{name} line {i + 1}: '{file}' is listed twice; the first row is used");
                continue;
            }

            images[index].Plates.Add(plate);
        }

        return new EvalSet(folder, kind, name, [.. images.Select(x => new EvalImage(x.File, x.Plates))], problems);
    }

    /// <summary>
    /// This set with the texts of an audit file (<c>file label shows why</c>, tab-separated with a header, as
    /// <c>training/splits/*-val-audit.tsv</c>): rows whose label, checked by eye, names other characters than the crop
    /// shows. Each audited crop must be in the set with the label the audit names, or the audit is for another set
    /// or a changed label file: <see cref="InvalidDataException"/> names the row.
    /// </summary>
    public EvalSet WithAudit(string auditPath)
    {
        ArgumentNullException.ThrowIfNull(auditPath);
        var lines = File.ReadAllLines(auditPath);
        var header = lines.Length == 0 ? [] : lines[0].TrimEnd('\r').Split('\t');
        int fileColumn = Array.IndexOf(header, "file"), labelColumn = Array.IndexOf(header, "label"), showsColumn = Array.IndexOf(header, "shows");
        if (fileColumn < 0 || labelColumn < 0 || showsColumn < 0)
        {
            throw new InvalidDataException($"{auditPath}: the header must name the columns file, label and shows.");
        }

        var shows = new Dictionary<string, (string Label, string Shows)>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].TrimEnd('\r').Split('\t');
            if (cells.Length > Math.Max(fileColumn, Math.Max(labelColumn, showsColumn)))
            {
                shows[cells[fileColumn]] = (cells[labelColumn], cells[showsColumn]);
            }
        }

        var images = Images.Select(image =>
        {
            if (!shows.Remove(image.File, out var audit))
            {
                return image;
            }

            if (Kind != EvalKind.Crops || image.Plates[0].Text != audit.Label)
            {
                throw new InvalidDataException($"{auditPath}: {image.File} is labelled '{image.Plates[0].Text}' here, not '{audit.Label}' as the audit says.");
            }

            return image with { Plates = [image.Plates[0] with { Text = audit.Shows }] };
        }).ToList();
        if (shows.Count > 0)
        {
            throw new InvalidDataException($"{auditPath}: {string.Join(", ", shows.Keys.Order(StringComparer.Ordinal))} not among the crops evaluated.");
        }

        return new EvalSet(Folder, Kind, LabelFile, images, Problems);
    }

    /// <summary>Reads a split list: one file name a line (<c>img/12.jpg</c> or <c>12.jpg</c>), blank lines and <c>#</c> comments skipped.</summary>
    public static IReadOnlySet<string> LoadList(string path) =>
        File.ReadLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToHashSet(StringComparer.Ordinal);

    private static Dictionary<string, int> Columns(string[] header, EvalKind kind, string name)
    {
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
        {
            columns.TryAdd(header[i].Trim(), i);
        }

        string[] needed = kind == EvalKind.Crops ? ["file", "text"] : ["file", "x", "y", "w", "h"];
        var missing = needed.Where(c => !columns.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{name}: the header lacks the column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} (it has {string.Join(", ", header)}).");
        }

        return columns;
    }

    private static bool TryParse(string line, Dictionary<string, int> columns, EvalKind kind, out string file, out EvalPlate plate, out string problem)
    {
        var cells = line.Split('\t');
        file = "";
        plate = null!;
        string Cell(string column) => columns.TryGetValue(column, out var i) && i < cells.Length ? cells[i].Trim() : "";

        if (columns["file"] >= cells.Length || Cell("file").Length == 0)
        {
            problem = "no file name";
            return false;
        }

        file = Cell("file");
        if (Path.IsPathRooted(file) || file.Split('/', '\\').Contains(".."))
        {
            problem = $"file '{file}' is outside the folder";
            return false;
        }

        var text = Cell("text");
        if (kind == EvalKind.Crops)
        {
            plate = new EvalPlate(null, text);
            problem = "";
            return true;
        }

        var numbers = new int[4];
        string[] names = ["x", "y", "w", "h"];
        for (var i = 0; i < 4; i++)
        {
            var cell = Cell(names[i]);
            if (!int.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out numbers[i]))
            {
                problem = $"{names[i]} is '{cell}', not a whole number";
                return false;
            }
        }

        if (numbers[2] <= 0 || numbers[3] <= 0)
        {
            problem = $"box {numbers[0]},{numbers[1]} {numbers[2]}x{numbers[3]} is empty";
            return false;
        }

        plate = new EvalPlate(new PixelRect(numbers[0], numbers[1], numbers[2], numbers[3]), text);
        problem = "";
        return true;
    }
}
