using EdgeAnpr.Agent.Storage;

namespace EdgeAnpr.Agent.Tests.Storage;

public sealed class AuditLogTests
{
    [Fact]
    public void Records_come_back_newest_first_with_who_when_and_why()
    {
        using var rig = new StorageRig();
        var audit = rig.Own(new AuditLog(rig.OpenDatabase(), rig.Time));

        audit.Record(AuditLog.StationActor("k1"), "watchlist.snapshot", """{"version":3}""", AuditOutcome.Applied);
        rig.Time.Advance(TimeSpan.FromMinutes(1));
        audit.Record(AuditLog.LocalActor("tech"), "watchlist.delta", """{"version":9}""", AuditOutcome.Rejected, "bad signature");

        var entries = audit.Query();
        Assert.Equal(2, entries.Count);
        Assert.Equal("local:tech", entries[0].Actor);
        Assert.Equal(AuditOutcome.Rejected, entries[0].Outcome);
        Assert.Equal("bad signature", entries[0].Reason);
        Assert.Equal(rig.Time.GetUtcNow(), entries[0].At);
        Assert.Equal("station:k1", entries[1].Actor);
        Assert.Null(entries[1].Reason);
        Assert.Equal("""{"version":3}""", entries[1].Detail);

        Assert.Single(audit.Query(since: rig.Time.GetUtcNow()));
        Assert.Single(audit.Query(action: "watchlist.snapshot"));
        Assert.Single(audit.Query(max: 1));
    }

    [Fact]
    public void A_detail_that_is_not_a_json_object_is_refused()
    {
        using var rig = new StorageRig();
        var audit = rig.Own(new AuditLog(rig.OpenDatabase(), rig.Time));

        Assert.Throws<ArgumentException>(() => audit.Record("local:x", "a", "not json", AuditOutcome.Applied));
        Assert.Throws<ArgumentException>(() => audit.Record("local:x", "a", "[1]", AuditOutcome.Applied));
        Assert.Empty(audit.Query());
    }
}
