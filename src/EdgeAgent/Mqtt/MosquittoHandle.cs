using Microsoft.Win32.SafeHandles;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// A <c>struct mosquitto *</c>. Calls made through it hold a reference, so a publish racing with dispose never
/// reaches a destroyed client. Disposed only after the network thread has been joined: mosquitto_destroy on a
/// client whose thread still runs would cancel that thread from outside (pthread_cancel), which a thread that may
/// be inside a .NET callback cannot survive. <see cref="MosquittoTransport"/> keeps that order.
/// </summary>
internal sealed class MosquittoHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public MosquittoHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        MosquittoNative.Destroy(handle);
        return true;
    }
}
