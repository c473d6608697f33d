namespace Navarch.Kubelet.Join;

/// <summary>A node's client certificate and key and the cluster CA, all PEM, as the API server issues them.</summary>
internal sealed record NodeCredentials(string Certificate, string Key, string Ca);
