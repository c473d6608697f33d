namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>An object a token names in its <c>kubernetes.io</c> claim: the service account, or the pod, secret or node it is bound to.</summary>
public sealed record BoundObject(string Name, string Uid);
