using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// Finds out why a TLS broker closed a connection during connect. Under TLS 1.3 the broker checks this box's client
/// certificate after the handshake has completed on this side; MQTTnet has sent its CONNECT by then, so the broker's
/// alert is often lost to the reset that follows, leaving only "connection reset". A second handshake that sends
/// nothing after it reads the alert itself.
/// </summary>
internal static class TlsProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>The broker's TLS alert, as its exception text; null when the broker kept the connection open (it accepted the certificate) or none came.</summary>
    public static async Task<string?> ReadAlertAsync(MqttOptions options, BrokerCertificateCheck check, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(check);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timeout = new CancellationTokenSource(Timeout, time);
        using var _ = timeout.Token.Register(deadline.Cancel);
        using var client = new TcpClient();
        X509Certificate2? certificate = null;
        try
        {
            await client.ConnectAsync(options.Host, options.Port, deadline.Token);
            certificate = string.IsNullOrEmpty(options.CertFile) || string.IsNullOrEmpty(options.KeyFile)
                ? null
                : X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile);
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = options.Host,
                    ClientCertificates = certificate is null ? null : [certificate],
                    RemoteCertificateValidationCallback = (_, presented, chain, errors) => check.Validate(presented, chain, errors),
                },
                deadline.Token);
            // The broker sends nothing before CONNECT: whatever ends this read is its verdict on the certificate.
            await tls.ReadAtLeastAsync(new byte[1], 1, throwOnEndOfStream: false, deadline.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException or SocketException or CryptographicException)
        {
            var text = new List<string>();
            for (Exception? current = ex; current is not null; current = current.InnerException)
            {
                text.Add(current.Message);
            }

            return string.Join('\n', text);
        }
        finally
        {
            certificate?.Dispose();
        }
    }
}
