namespace Navarch.ApiServer.Printing;

/// <summary>
/// One column of a meta.k8s.io/v1 Table. Columns with <see cref="Priority"/> above 0 are the ones kubectl shows
/// only with <c>-o wide</c>.
/// </summary>
public sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority = 0);
