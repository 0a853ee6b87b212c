using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Shared.Events;

namespace EdgeAnpr.Agent.Pipeline;

/// <summary>
/// Sees what the pipeline produces, as it produces it: <c>replay</c> prints it. Called on the pass stage's thread, in
/// order; an observer must be quick and must not throw.
/// </summary>
public interface IPipelineObserver
{
    /// <summary>A vehicle pass has ended with a read (hit or not).</summary>
    void OnPass(VehiclePass pass);

    /// <summary>A hit is durable in the outbox (called only after the commit).</summary>
    void OnHit(HitEvent hit);
}
