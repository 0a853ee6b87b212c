using System.Runtime.InteropServices;

namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// Owns one <c>OrtSession</c> and the input and output names ONNX Runtime allocated for it. Releasing it frees the
/// names (AllocatorFree with the default allocator that made them) and then the session. As a SafeHandle it is
/// released once, whether by Dispose or the finalizer, and never while a run holds a reference to it.
/// </summary>
internal sealed class OrtSessionHandle : SafeHandle
{
    private readonly OrtRuntime _runtime;
    private readonly List<nint> _names = [];

    public OrtSessionHandle(OrtRuntime runtime, nint session)
        : base(0, ownsHandle: true)
    {
        _runtime = runtime;
        SetHandle(session);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Takes ownership of a name ONNX Runtime allocated for this session.</summary>
    public void OwnName(nint name) => _names.Add(name);

    protected override unsafe bool ReleaseHandle()
    {
        foreach (var name in _names)
        {
            _runtime.Ignore(_runtime.Api.AllocatorFree(_runtime.DefaultAllocator, name));
        }

        _names.Clear();
        _runtime.Api.ReleaseSession(handle);
        return true;
    }
}
