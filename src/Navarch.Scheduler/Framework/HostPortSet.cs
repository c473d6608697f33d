namespace Navarch.Scheduler.Framework;

/// <summary>
/// Host ports in use on a node, by IP, protocol and port, with kube-scheduler's conflict rule: 0.0.0.0 (or an
/// empty hostIP) conflicts with every IP on the same protocol and port.
/// </summary>
public sealed class HostPortSet
{
    private const string AnyIp = "0.0.0.0";

    private readonly List<(string Ip, string Protocol, int Port)> _ports = [];

    public int Count => _ports.Count;

    public void Add(string? ip, string? protocol, int port)
    {
        if (port <= 0) return;
        _ports.Add((Normalize(ip), protocol ?? "TCP", port));
    }

    public void Remove(string? ip, string? protocol, int port)
    {
        if (port <= 0) return;
        var index = _ports.IndexOf((Normalize(ip), protocol ?? "TCP", port));
        if (index >= 0) _ports.RemoveAt(index);
    }

    public bool Conflicts(string? ip, string? protocol, int port)
    {
        if (port <= 0) return false;
        ip = Normalize(ip);
        protocol ??= "TCP";
        foreach (var used in _ports)
        {
            if (used.Port != port || used.Protocol != protocol) continue;
            if (ip == AnyIp || used.Ip == AnyIp || used.Ip == ip) return true;
        }

        return false;
    }

    public HostPortSet Clone()
    {
        var copy = new HostPortSet();
        copy._ports.AddRange(_ports);
        return copy;
    }

    private static string Normalize(string? ip) => string.IsNullOrEmpty(ip) ? AnyIp : ip;
}
