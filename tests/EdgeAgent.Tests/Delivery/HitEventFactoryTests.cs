using System.Globalization;
using System.Text;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Tests.Imaging;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Shared.Events;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Delivery;

public sealed class HitEventFactoryTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 8, 30, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly HitEventFactory _factory;

    public HitEventFactoryTests()
    {
        _factory = new HitEventFactory(new CameraIdentity("site1", "cam1"), _time);
    }

    [Fact]
    public void An_event_carries_the_camera_the_plate_the_match_the_pass_and_the_crop()
    {
        var pass = TestPasses.Pass(_time);

        var hit = _factory.Create(pass, TestPasses.Stolen);

        Assert.Equal(HitEvent.CurrentVersion, hit.Version);
        Assert.Equal(("site1", "cam1"), (hit.SiteId, hit.CameraId));
        Assert.Equal(new HitPlate("AYO9034", "AYO9034", "latin", 0.951), hit.Plate);
        Assert.Equal(TestPasses.Stolen, hit.Match);
        // Frames every 40 ms, the last now, the best the eighth of twelve.
        Assert.Equal(new HitTrack(12, 10, Now.AddMilliseconds(-440), Now), hit.Track);
        Assert.Equal(Now.AddMilliseconds(-160), hit.CapturedAt);
        Assert.False(hit.Replayed);
        Assert.NotNull(hit.Image);
        Assert.Equal((HitImage.Jpeg, 200, 60), (hit.Image.ContentType, hit.Image.Width, hit.Image.Height));
        Assert.StartsWith("/9j/", hit.Image.Data, StringComparison.Ordinal);
        HitSchema.AssertValid(Json(hit));
    }

    [Fact]
    public async Task The_image_is_the_crop_as_a_jpeg()
    {
        var pass = TestPasses.Pass(_time);

        var image = _factory.Create(pass, TestPasses.Stolen).Image!;

        var decoded = await TestImages.DecodeWithFfmpegAsync(Convert.FromBase64String(image.Data), 200, 60);
        Assert.True(TestImages.Psnr(pass.BestCrop!.Pixels, decoded) > 30);
    }

    [Fact]
    public void The_event_id_is_a_uuid_v7_of_the_clock_and_ids_sort_in_time_order()
    {
        var ids = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            ids.Add(_factory.Create(TestPasses.Pass(_time, crop: false), TestPasses.Stolen).EventId);
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(1000, ids.Distinct().Count());
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        var first = Guid.Parse(ids[0]);
        Assert.Equal(7, first.Version);
        // RFC 9562 section 5.7: the first 48 bits are the Unix time in milliseconds.
        var milliseconds = long.Parse(ids[0].Replace("-", "", StringComparison.Ordinal)[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.Equal(Now.ToUnixTimeMilliseconds(), milliseconds);
    }

    [Fact]
    public void An_iranian_plate_is_displayed_in_persian()
    {
        var hit = _factory.Create(TestPasses.Pass(_time, "81و63813", PlateRegion.Ir), TestPasses.Stolen);

        Assert.Equal("81و63813", hit.Plate.Text);
        Assert.Equal("۸۱ و ۶۳۸ ایران ۱۳", hit.Plate.Display);
        Assert.Equal("ir", hit.Plate.Region);
        HitSchema.AssertValid(Json(hit));
    }

    [Fact]
    public void A_pass_without_a_crop_has_no_image_and_an_unmatched_read_no_match()
    {
        var tolerant = _factory.Create(TestPasses.Pass(_time, crop: false), new HitMatch("W-18", "wanted", 9, MatchKind.Tolerant, "0→O at 3"));
        var read = _factory.CreateRead(TestPasses.Pass(_time));

        Assert.Null(tolerant.Image);
        Assert.Null(read.Match);
        HitSchema.AssertValid(Json(tolerant));
        HitSchema.AssertValid(Json(read));
        Assert.Contains("\"image\":null", Json(tolerant), StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"tolerant\"", Json(tolerant), StringComparison.Ordinal);
    }

    [Fact]
    public void A_crop_too_large_for_the_schema_is_halved_until_it_fits()
    {
        var random = new Random(3);
        var noise = new byte[1600 * 480];
        random.NextBytes(noise);
        var pass = TestPasses.Pass(_time) with { BestCrop = new PlateCrop(noise, 1600, 480) };

        var hit = _factory.Create(pass, TestPasses.Stolen);

        Assert.NotNull(hit.Image);
        Assert.True(hit.Image.Width < 1600);
        Assert.Equal(hit.Image.Width * 480 / 1600, hit.Image.Height);
        Assert.InRange(hit.Image.Data.Length, 1, HitEventFactory.MaxImageBase64Length);
        HitSchema.AssertValid(Json(hit));
    }

    [Fact]
    public void Unknown_site_or_camera_ids_that_are_not_topic_levels_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new CameraIdentity("site/1", "cam1"));
        Assert.Throws<ArgumentException>(() => new CameraIdentity("site1", "+"));
        Assert.Equal("anpr/v1/site1/cam1/read", new CameraIdentity("site1", "cam1").ReadTopic);
    }

    private static string Json(HitEvent hit) => Encoding.UTF8.GetString(HitPayload.Serialize(hit));
}
