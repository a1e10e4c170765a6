import { roleName } from "@pedigree/ledger"; console.log(roleName(1));
