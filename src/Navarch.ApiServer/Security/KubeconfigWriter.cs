using Navarch.Api;

namespace Navarch.ApiServer.Security;

/// <summary>
/// Writes kubeconfig files in the shape k3s writes its <c>k3s.yaml</c>: one cluster, user and context, all named
/// <c>default</c>, with the CA and client credentials embedded as base64 data.
/// </summary>
public static class KubeconfigWriter
{
    /// <summary>The kubeconfig YAML for <paramref name="server"/> with the given CA and client credentials.</summary>
    public static string Build(Uri server, string caCertificatePem, CertificateAndKeyPem client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return KubeconfigYaml.Build(server, caCertificatePem, client.CertificatePem, client.PrivateKeyPem);
    }

    /// <summary>
    /// Writes the kubeconfig to <paramref name="path"/> with mode 0600 (it holds a private key), creating parent
    /// directories, and replaces any existing file atomically so a concurrent kubectl never reads half a file.
    /// </summary>
    public static Task WriteAsync(
        string path, Uri server, string caCertificatePem, CertificateAndKeyPem client, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var yaml = Build(server, caCertificatePem, client);
        return SecureFile.WriteAtomicAsync(path, yaml, SecureFile.PrivateMode, cancellationToken);
    }
}
