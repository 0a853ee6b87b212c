using EdgeAnpr.Shared.Topics;

namespace EdgeAnpr.Agent.Delivery;

/// <summary>Which box this is, as events and topics name it: <c>Site:Id</c> and <c>Camera:Id</c>.</summary>
public sealed record CameraIdentity
{
    public CameraIdentity(string siteId, string cameraId)
    {
        // AnprTopics checks both are valid topic levels.
        HitTopic = AnprTopics.Hit(siteId, cameraId);
        HeartbeatTopic = AnprTopics.Heartbeat(siteId, cameraId);
        ReadTopic = string.Concat(HitTopic.AsSpan(0, HitTopic.Length - "hit".Length), "read");
        SiteId = siteId;
        CameraId = cameraId;
    }

    public string SiteId { get; }

    public string CameraId { get; }

    /// <summary><c>anpr/v1/{site}/{camera}/hit</c>.</summary>
    public string HitTopic { get; }

    /// <summary><c>anpr/v1/{site}/{camera}/read</c>: unmatched reads, only with <see cref="DeliveryOptions.PublishReads"/>.</summary>
    public string ReadTopic { get; }

    /// <summary><c>anpr/v1/{site}/{camera}/heartbeat</c>.</summary>
    public string HeartbeatTopic { get; }
}
