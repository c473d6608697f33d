using System.Text;

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
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(caCertificatePem);
        ArgumentNullException.ThrowIfNull(client);
        if (!server.IsAbsoluteUri || server.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Server URL '{server}' must be an absolute https URL.", nameof(server));
        }

        // Every value is base64 or a fixed word except the URL, which is double-quoted so no character in it (':',
        // '#', '[') can change the document's structure; AbsoluteUri percent-encodes '"' and has no '\' or control
        // characters, which are all a double-quoted YAML scalar treats specially.
        var url = $"\"{server.AbsoluteUri.TrimEnd('/')}\"";
        return $"""
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: {Base64(caCertificatePem)}
                server: {url}
              name: default
            contexts:
            - context:
                cluster: default
                user: default
              name: default
            current-context: default
            kind: Config
            preferences: {"{}"}
            users:
            - name: default
              user:
                client-certificate-data: {Base64(client.CertificatePem)}
                client-key-data: {Base64(client.PrivateKeyPem)}

            """;
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

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
