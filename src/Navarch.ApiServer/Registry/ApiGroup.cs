namespace Navarch.ApiServer.Registry;

/// <summary>An API group and its served versions, the first being the preferred one.</summary>
public sealed record ApiGroup(string Name, IReadOnlyList<string> Versions)
{
    public string PreferredVersion => Versions[0];
}
