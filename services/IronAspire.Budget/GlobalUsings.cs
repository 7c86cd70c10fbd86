global using IronAspire.Contracts.Budget;
