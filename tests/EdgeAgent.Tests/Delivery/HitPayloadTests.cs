using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Delivery;

public sealed class HitPayloadTests
{
    private static readonly FakeTimeProvider Time = new();
    private static readonly HitEventFactory Factory = new(new CameraIdentity("site1", "cam1"), Time);

    [Fact]
    public void A_stored_hit_ends_with_replayed_false_and_is_marked_replayed_at_its_tail()
    {
        var hit = Factory.Create(TestPasses.Pass(Time), TestPasses.Stolen);
        var stored = HitPayload.Serialize(hit);

        var replayed = HitPayload.AsReplayed(stored);

        Assert.EndsWith("\"replayed\":false}", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Equal(stored.Length - 1, replayed.Length);
        Assert.Equal(hit with { Replayed = true }, HitPayload.Deserialize(replayed));
        Assert.Equal(replayed, HitPayload.AsReplayed(replayed));
        HitSchema.AssertValid(Encoding.UTF8.GetString(replayed));
    }

    [Fact]
    public void A_payload_in_another_layout_is_parsed_and_written_again()
    {
        var hit = Factory.Create(TestPasses.Pass(Time, crop: false), TestPasses.Stolen);
        var node = JsonNode.Parse(HitPayload.Serialize(hit))!.AsObject();
        node.Remove("replayed");
        node.Insert(0, "replayed", false);
        var reordered = Encoding.UTF8.GetBytes(node.ToJsonString());

        Assert.Equal(hit with { Replayed = true }, HitPayload.Deserialize(HitPayload.AsReplayed(reordered)));
    }

    [Fact]
    public void What_is_not_a_hit_cannot_be_marked()
    {
        Assert.ThrowsAny<JsonException>(() => HitPayload.AsReplayed("not json"u8));
        Assert.ThrowsAny<JsonException>(() => HitPayload.AsReplayed("{\"eventId\":\"x\"}"u8));
    }
}
