import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".aws-sam/", "dist/", "coverage/"] },
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      globals: { ...globals.node },
    },
  },
];
