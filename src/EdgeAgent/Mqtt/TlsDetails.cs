using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>What a TLS handshake with the broker settled: protocol, cipher suite, and the broker's certificate.</summary>
internal sealed record TlsDetails(string Protocol, string CipherSuite, string Subject, string Issuer, DateTimeOffset NotAfter)
{
    /// <summary>
    /// Makes one TLS handshake with the broker as the agent would (its CA file, its certificate check, its client
    /// certificate) and reports what was agreed; sends no MQTT. MQTTnet does not expose the negotiated session, hence a
    /// handshake of its own, as <see cref="TlsProbe"/> does.
    /// </summary>
    /// <exception cref="MqttException">The handshake failed; the message names the problem as the agent's log would.</exception>
    public static async Task<TlsDetails> ReadAsync(MqttOptions options, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new BrokerCertificateCheck(MqttClientSettings.LoadAuthorities(options));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
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
            using var server = tls.RemoteCertificate is { } remote ? X509CertificateLoader.LoadCertificate(remote.GetRawCertData()) : null;
            return new TlsDetails(
                tls.SslProtocol switch
                {
                    SslProtocols.Tls13 => "TLS 1.3",
                    SslProtocols.Tls12 => "TLS 1.2",
                    var other => other.ToString(),
                },
                tls.NegotiatedCipherSuite.ToString(),
                server?.Subject ?? "",
                server?.Issuer ?? "",
                server is null ? default : new DateTimeOffset(server.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MqttException($"{options.Host}:{options.Port}: no TLS handshake within {timeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException or SocketException or CryptographicException)
        {
            var problem = ConnectionProblem.FromException(ex, check.Problem, options.Host, options.ProtocolVersion);
            throw new MqttException($"{options.Host}:{options.Port}: {problem.Reason}", ex);
        }
        finally
        {
            certificate?.Dispose();
        }
    }
}
