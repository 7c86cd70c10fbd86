global using IronAspire.Contracts.Budget;
global using Microsoft.Extensions.Logging;
