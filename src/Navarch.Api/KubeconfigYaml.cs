using System.Text;

namespace Navarch.Api;

/// <summary>
/// A kubeconfig in the shape k3s writes its <c>k3s.yaml</c>: one cluster, user and context, all named
/// <c>default</c>, with the CA and client credentials embedded as base64 data. Used for the admin kubeconfig the
/// server writes and for the credentials an agent obtains when it joins.
/// </summary>
public static class KubeconfigYaml
{
    public static string Build(Uri server, string caCertificatePem, string clientCertificatePem, string clientKeyPem)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(caCertificatePem);
        ArgumentException.ThrowIfNullOrEmpty(clientCertificatePem);
        ArgumentException.ThrowIfNullOrEmpty(clientKeyPem);
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
                client-certificate-data: {Base64(clientCertificatePem)}
                client-key-data: {Base64(clientKeyPem)}

            """;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
