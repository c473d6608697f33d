namespace Navarch.ApiServer.Tests.NodeProxy;

/// <summary>What the fake kubelet saw of one request.</summary>
public sealed record KubeletRequest(string Method, string Path, string Query, string? ClientCommonName, IReadOnlyDictionary<string, string> Headers);
