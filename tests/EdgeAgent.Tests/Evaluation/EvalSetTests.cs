using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Evaluation;
using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Tests.Evaluation;

/// <summary>Reading label files in the shared data format: every bad row named by its line, none fatal.</summary>
public sealed class EvalSetTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "edgeanpr-tests", "evalset-" + Guid.NewGuid().ToString("N"));

    public EvalSetTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Crops_keep_good_rows_and_name_each_bad_one_by_its_line()
    {
        File.WriteAllText(Path.Combine(_folder, EvalSet.CropsFile), "file\ttext\tstate\nimg/a.jpg\tAB123\tca\n\tCD456\nimg/b.jpg\t\n\nimg/a.jpg\tZZ999\n../secret.jpg\tX1\nimg/c.jpg\tEF789\r\n");

        var set = EvalSet.Load(_folder);

        Assert.Equal(EvalKind.Crops, set.Kind);
        Assert.Equal(["img/a.jpg", "img/b.jpg", "img/c.jpg"], set.Images.Select(i => i.File));
        Assert.Equal(["AB123", "", "EF789"], set.Images.Select(i => i.Plates.Single().Text));
        Assert.Equal(
            ["labels.tsv line 3: no file name", "labels.tsv line 6: 'img/a.jpg' is listed twice; the first row is used", "labels.tsv line 7: file '../secret.jpg' is outside the folder"],
            set.Problems);
    }

    [Fact]
    public void Scenes_group_the_boxes_of_one_photo_and_name_a_bad_number()
    {
        File.WriteAllText(Path.Combine(_folder, EvalSet.ScenesFile), "file\tx\ty\tw\th\ttext\nimg/1.jpg\t10\t20\t100\t30\tAB123\nimg/1.jpg\t-1\t200\t80\t25\t\nimg/2.jpg\t5\t5\tabc\t10\tX\nimg/3.jpg\t5\t5\t0\t10\t\n");

        var set = EvalSet.Load(_folder);

        Assert.Equal(EvalKind.Scenes, set.Kind);
        var photo = Assert.Single(set.Images);
        Assert.Equal([new EvalPlate(new PixelRect(10, 20, 100, 30), "AB123"), new EvalPlate(new PixelRect(-1, 200, 80, 25), "")], photo.Plates);
        Assert.Equal(["boxes.tsv line 4: w is 'abc', not a whole number", "boxes.tsv line 5: box 5,5 0x10 is empty"], set.Problems);
    }

    [Fact]
    public void A_split_list_keeps_the_rows_it_names_by_path_or_bare_name()
    {
        File.WriteAllText(Path.Combine(_folder, EvalSet.CropsFile), "file\ttext\nimg/1.jpg\tA1\nimg/2.jpg\tA2\nimg/3.jpg\tA3\n");
        var list = Path.Combine(_folder, "val.txt");
        File.WriteAllText(list, "# held out\nimg/1.jpg\n\n3.jpg\n");

        var set = EvalSet.Load(_folder, EvalSet.LoadList(list));

        Assert.Equal(["img/1.jpg", "img/3.jpg"], set.Images.Select(i => i.File));
    }

    [Fact]
    public void A_folder_without_labels_or_a_header_without_its_columns_is_an_error_that_says_so()
    {
        Assert.Contains("neither labels.tsv (crops) nor boxes.tsv (scenes)", Assert.Throws<FileNotFoundException>(() => EvalSet.Load(_folder)).Message, StringComparison.Ordinal);
        Assert.Throws<DirectoryNotFoundException>(() => EvalSet.Load(Path.Combine(_folder, "nope")));

        File.WriteAllText(Path.Combine(_folder, EvalSet.ScenesFile), "file\tx\ty\twidth\theight\nimg/1.jpg\t1\t2\t3\t4\n");
        Assert.Contains("lacks the columns w, h", Assert.Throws<InvalidDataException>(() => EvalSet.Load(_folder)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_labelled_box_takes_at_most_one_detection_best_overlap_first()
    {
        EvalPlate[] plates = [new(new PixelRect(0, 0, 100, 30), "A"), new(new PixelRect(10, 0, 100, 30), "B"), new(new PixelRect(500, 500, 50, 20), "C")];
        PlateDetection[] found = [new(new PlateBox(8, 0, 108, 30), 0.9f), new(new PlateBox(0, 200, 100, 230), 0.8f)];

        // Both labels overlap the first detection; the closer one (B, IoU 0.96) gets it, A is not found, C is far from all.
        Assert.Equal([-1, 0, -1], PlateEvaluator.Assign(plates, found));
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("AB123", "AB123", 0)]
    [InlineData("AB123", "A8123", 1)]
    [InlineData("AB123", "B123", 1)]
    [InlineData("", "AB1", 3)]
    [InlineData("81و63813", "1و63813", 1)]
    public void Edit_distance_counts_characters(string a, string b, int distance) =>
        Assert.Equal(distance, PlateEvaluator.EditDistance(a, b));
}
