using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using EdgeAnpr.Agent.Tracking;

namespace EdgeAnpr.Agent.Pipeline;

/// <summary>
/// Finished vehicle passes on their way from the frame stages to matching and delivery. Bounded and waiting: a pass is
/// never dropped here. Passes are rare (one per vehicle), so the queue fills only while the outbox cannot commit (a
/// full disk); the frame stages then wait and the camera queue drops frames, counted, instead of losing a pass.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A queue, like FrameQueue before it in the pipeline.")]
public sealed class PassQueue
{
    /// <summary>Default capacity: far more vehicles than pass a camera in the seconds a commit can take.</summary>
    public const int DefaultCapacity = 256;

    private readonly Channel<VehiclePass> _channel;

    public PassQueue(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _channel = Channel.CreateBounded<VehiclePass>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
    }

    public ChannelReader<VehiclePass> Reader => _channel.Reader;

    /// <summary>Passes waiting.</summary>
    public int Count => _channel.Reader.Count;

    public ValueTask WriteAsync(VehiclePass pass, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(pass, cancellationToken);

    /// <summary>No more passes: the input ended or the pipeline stops.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
